package org.ehrarchive.ingest.ccda;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import org.codehaus.stax2.XMLInputFactory2;
import org.ehrarchive.ingest.IngestError;
import org.ehrarchive.ingest.QuarantineException;

import com.ctc.wstx.api.WstxInputProperties;
import com.ctc.wstx.stax.WstxInputFactory;

/**
 * Reads source XML safely and in a stream (architecture D5, ADR 0006 and 0009): a Woodstox StAX parser with no
 * DTD support at all (a {@code DOCTYPE} is refused before anything else is read, so no external entities, no
 * external DTD, no entity expansion), bounded element depth, attribute size and attribute count, and no network
 * or file access from the parser.
 * <p>
 * Before a C-CDA file is mapped, {@link #shape} reads it once without building anything: a file that is not
 * well-formed, is hostile or exceeds a limit is refused before any of its records is stored, so an XML file is
 * archived whole or quarantined whole; the same pass learns which elements share their name with a sibling, so
 * that locators can carry a position exactly where one is needed, in one streaming pass.
 * <p>
 * Real exports use the {@code xsi:} and {@code sdtc:} prefixes without declaring them (several of HL7's own
 * examples do). Such a file is read leniently: the missing declarations are added to the root start tag of the
 * stream as it is read; the original bytes in the blob store are untouched, and a warning is returned.
 */
public final class HardenedXml {

    static final String XSI_NS = XMLConstants.W3C_XML_SCHEMA_INSTANCE_NS_URI;
    static final String SDTC_NS = "urn:hl7-org:sdtc";
    public static final String CDA_NS = "urn:hl7-org:v3";

    /** Deep enough for any real C-CDA (about 30 levels), shallow enough that no mapper recursion can overflow. */
    static final int MAX_ELEMENT_DEPTH = 256;
    static final int MAX_ATTRIBUTE_CHARACTERS = 1 << 20;
    static final int MAX_ATTRIBUTES_PER_ELEMENT = 1_000;

    private static final Pattern UNBOUND_PREFIX = Pattern.compile("[Uu]ndeclared namespace prefix \"([A-Za-z_][\\w.-]*)\"");
    private static final int MAX_PREFIX_REPAIRS = 8;
    /** How far into a file the root start tag is looked for, when a prefix declaration must be added to it. */
    private static final int MAX_HEAD_BYTES = 1 << 20;

    private static final XMLInputFactory2 FACTORY = newFactory();

    private HardenedXml() {
    }

    /** Where the bytes of one XML file come from; opened once per pass. */
    public interface Source {
        InputStream open() throws IOException;
    }

    /**
     * What the first pass learnt about a file: its root element, which elements share their name with a sibling
     * (by pre-order element index), the prefixes declared leniently, and the warnings to report.
     */
    public record Shape(String rootNamespace, String rootName, BitSet repeated, Map<String, String> textById,
            Map<String, String> repairedPrefixes, List<String> warnings) {
    }

    /**
     * Reads the whole file once. Refuses a DOCTYPE (ING-101), a parser limit (ING-105) and XML that is not
     * well-formed (ING-102), repairing undeclared prefixes on the way.
     */
    public static Shape shape(Source source) throws QuarantineException {
        Map<String, String> repaired = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        while (true) {
            try (InputStream in = open(source, repaired)) {
                XMLStreamReader reader = FACTORY.createXMLStreamReader(in);
                try {
                    return scan(reader, repaired, warnings);
                } finally {
                    reader.close();
                }
            } catch (XMLStreamException e) {
                String prefix = repair(e, repaired);
                if (prefix == null) {
                    throw refusal(e);
                }
                warnings.add("undeclared namespace prefix '" + prefix + "' read as " + namespaceFor(prefix));
            } catch (IOException e) {
                throw new QuarantineException(IngestError.READ_FAILED, e.getClass().getSimpleName());
            }
        }
    }

    /** What a caller of {@link #read} does with the reader; it may stop anywhere, the rest of the file is not read. */
    public interface Reading<T> {
        T read(XMLStreamReader reader) throws XMLStreamException;
    }

    /**
     * Reads a source with the hardened parser and as leniently as {@link #shape}, for a caller that needs only a part of
     * the file (the excerpt of one element) and so must not read it whole first: when the parser meets a prefix the file
     * uses without declaring it, the source is read again from its start with that prefix declared on its root.
     */
    public static <T> T read(Source source, Reading<T> reading) throws IOException, XMLStreamException {
        Map<String, String> repaired = new LinkedHashMap<>();
        while (true) {
            try (InputStream in = open(source, repaired)) {
                XMLStreamReader reader = FACTORY.createXMLStreamReader(in);
                try {
                    return reading.read(reader);
                } finally {
                    reader.close();
                }
            } catch (XMLStreamException e) {
                if (repair(e, repaired) == null) {
                    throw e;
                }
            }
        }
    }

    /**
     * When a parse error is an undeclared prefix not declared before, and there were not too many already: declares it
     * and returns it; otherwise null (the error stands).
     */
    private static String repair(XMLStreamException e, Map<String, String> repaired) {
        Matcher unbound = UNBOUND_PREFIX.matcher(String.valueOf(e.getMessage()));
        if (!unbound.find() || repaired.size() >= MAX_PREFIX_REPAIRS || repaired.containsKey(unbound.group(1))) {
            return null;
        }
        String prefix = unbound.group(1);
        repaired.put(prefix, namespaceFor(prefix));
        return prefix;
    }

    /** A reader for the mapping pass, over the same (repaired) bytes the shape was taken from. */
    static XMLStreamReader open(Source source, Shape shape) throws IOException, XMLStreamException {
        return FACTORY.createXMLStreamReader(open(source, shape.repairedPrefixes()));
    }

    /** A parse error of the mapping pass, which the first pass has already ruled out unless the file changed. */
    static QuarantineException refusal(XMLStreamException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("DOCTYPE")) {
            return new QuarantineException(IngestError.XML_DOCTYPE_FORBIDDEN, null);
        }
        if (message.contains("limit") || message.contains("Limit")) {
            return new QuarantineException(IngestError.XML_LIMIT_EXCEEDED, where(e) + ": " + parserReason(message));
        }
        return new QuarantineException(IngestError.XML_NOT_WELL_FORMED, where(e) + ": " + parserReason(message));
    }

    private static Shape scan(XMLStreamReader reader, Map<String, String> repaired, List<String> warnings)
            throws XMLStreamException, QuarantineException {
        BitSet repeated = new BitSet();
        SiblingCounter siblings = new SiblingCounter(repeated);
        IdTexts ids = new IdTexts();
        String rootNamespace = null;
        String rootName = null;
        int index = 0;
        while (reader.hasNext()) {
            int event = reader.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                if (rootName == null) {
                    rootName = reader.getLocalName();
                    rootNamespace = reader.getNamespaceURI();
                }
                siblings.start(reader.getNamespaceURI(), reader.getLocalName(), index++);
                ids.start(reader.getAttributeValue(null, "ID"));
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                siblings.end();
                ids.end();
            } else if (event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.CDATA || event == XMLStreamConstants.SPACE) {
                ids.text(reader);
            } else if (event == XMLStreamConstants.DTD) {
                throw new QuarantineException(IngestError.XML_DOCTYPE_FORBIDDEN, null);
            }
        }
        if (rootName == null) {
            throw new QuarantineException(IngestError.XML_NOT_WELL_FORMED, "no root element");
        }
        return new Shape(rootNamespace, rootName, repeated, ids.texts, Map.copyOf(repaired), List.copyOf(warnings));
    }

    /**
     * The text of every element that carries an {@code ID} (narrative anchors, mostly), folded, the first of each id
     * kept: entries refer to them with {@code <reference value="#id"/>}, also forward, into a later section.
     */
    private static final class IdTexts {
        final Map<String, String> texts = new java.util.HashMap<>();
        private final java.util.ArrayDeque<Object> open = new java.util.ArrayDeque<>();
        private final List<StringBuilder> collecting = new ArrayList<>();
        private final List<String> collectingIds = new ArrayList<>();
        private static final Object NO_ID = new Object();

        void start(String id) {
            if (id == null || id.isEmpty() || texts.containsKey(id) || collectingIds.contains(id)) {
                open.push(NO_ID);
                return;
            }
            open.push(id);
            collectingIds.add(id);
            collecting.add(new StringBuilder());
        }

        void end() {
            if (open.pop() != NO_ID) {
                int last = collecting.size() - 1;
                String folded = CdaReader.fold(collecting.remove(last).toString());
                texts.put(collectingIds.remove(last), folded.isEmpty() ? null : folded); // known, but says nothing
            }
        }

        void text(XMLStreamReader reader) {
            if (collecting.isEmpty()) {
                return;
            }
            String text = reader.getText();
            for (StringBuilder builder : collecting) {
                builder.append(text);
            }
        }
    }

    /**
     * Positions of elements among their same-named siblings (the {@code [n]} of a locator step), one level of
     * counts per open element. With a bit set, it also records which elements share their name with a sibling.
     */
    static final class SiblingCounter {
        private final BitSet repeated;
        private Level[] levels = new Level[32];
        private int depth;

        SiblingCounter(BitSet repeated) {
            this.repeated = repeated;
        }

        /** An element starts; returns its 1-based position among the siblings of its name. */
        int start(String namespace, String localName, int index) {
            int position = depth == 0 ? 1 : levels[depth - 1].child(namespace, localName, index, repeated);
            if (depth == levels.length) {
                levels = java.util.Arrays.copyOf(levels, depth * 2);
            }
            if (levels[depth] == null) {
                levels[depth] = new Level();
            }
            levels[depth].clear();
            depth++;
            return position;
        }

        void end() {
            depth--;
        }

        /** The children seen so far of one open element: name, how many, and the index of the first. */
        private static final class Level {
            private String[] namespaces = new String[8];
            private String[] names = new String[8];
            private int[] counts = new int[8];
            private int[] firsts = new int[8];
            private int size;

            void clear() {
                size = 0;
            }

            int child(String namespace, String localName, int index, BitSet repeated) {
                for (int i = 0; i < size; i++) {
                    // Woodstox hands out canonical (interned) names, so identity is the fast path.
                    if ((names[i] == localName || names[i].equals(localName))
                            && (namespaces[i] == namespace || (namespaces[i] != null && namespaces[i].equals(namespace)))) {
                        int count = ++counts[i];
                        if (repeated != null) {
                            if (count == 2) {
                                repeated.set(firsts[i]);
                            }
                            repeated.set(index);
                        }
                        return count;
                    }
                }
                if (size == names.length) {
                    namespaces = java.util.Arrays.copyOf(namespaces, size * 2);
                    names = java.util.Arrays.copyOf(names, size * 2);
                    counts = java.util.Arrays.copyOf(counts, size * 2);
                    firsts = java.util.Arrays.copyOf(firsts, size * 2);
                }
                namespaces[size] = namespace;
                names[size] = localName;
                counts[size] = 1;
                firsts[size] = index;
                size++;
                return 1;
            }
        }
    }

    /** Serializes an element and its subtree as XML text, without an XML declaration. */
    static String serialize(XmlElement element) {
        StringBuilder out = new StringBuilder(256);
        Map<String, String> undeclared = new LinkedHashMap<>();
        collectUndeclared(element, new java.util.HashMap<>(), undeclared);
        write(element, out, undeclared);
        return out.toString();
    }

    /**
     * The prefixes (and the default namespace) a subtree uses without declaring them itself: its root then declares
     * them, so that the fragment reads as the same XML on its own.
     */
    private static void collectUndeclared(XmlElement element, Map<String, String> inScope, Map<String, String> undeclared) {
        Map<String, String> scope = inScope;
        String[] declarations = element.declarationPairs();
        if (declarations.length > 0) {
            scope = new java.util.HashMap<>(inScope);
            for (int i = 0; i < declarations.length; i += 2) {
                scope.put(declarations[i], declarations[i + 1]);
            }
        }
        need(element.prefix(), element.namespace() == null ? "" : element.namespace(), scope, undeclared);
        String[] attributes = element.attributeQuadruples();
        for (int i = 0; i < attributes.length; i += 4) {
            if (attributes[i] != null && !attributes[i + 2].isEmpty() && !"xml".equals(attributes[i + 2])) {
                need(attributes[i + 2], attributes[i], scope, undeclared);
            }
        }
        for (Object node : element.nodes()) {
            if (node instanceof XmlElement child) {
                collectUndeclared(child, scope, undeclared);
            }
        }
    }

    private static void need(String prefix, String namespace, Map<String, String> scope, Map<String, String> undeclared) {
        if (!namespace.equals(scope.getOrDefault(prefix, "")) && !undeclared.containsKey(prefix)) {
            undeclared.put(prefix, namespace);
        }
    }

    private static void write(XmlElement element, StringBuilder out, Map<String, String> extraDeclarations) {
        String name = element.prefix().isEmpty() ? element.localName() : element.prefix() + ":" + element.localName();
        out.append('<').append(name);
        String[] declarations = element.declarationPairs();
        for (int i = 0; i < declarations.length; i += 2) {
            out.append(declarations[i].isEmpty() ? " xmlns" : " xmlns:" + declarations[i]).append("=\"");
            escapeAttribute(declarations[i + 1], out);
            out.append('"');
        }
        for (Map.Entry<String, String> extra : extraDeclarations.entrySet()) {
            if (!(extra.getKey().isEmpty() && extra.getValue().isEmpty())) {
                out.append(extra.getKey().isEmpty() ? " xmlns" : " xmlns:" + extra.getKey()).append("=\"");
                escapeAttribute(extra.getValue(), out);
                out.append('"');
            }
        }
        String[] attributes = element.attributeQuadruples();
        for (int i = 0; i < attributes.length; i += 4) {
            out.append(' ');
            if (!attributes[i + 2].isEmpty()) {
                out.append(attributes[i + 2]).append(':');
            }
            out.append(attributes[i + 1]).append("=\"");
            escapeAttribute(attributes[i + 3], out);
            out.append('"');
        }
        if (!element.hasChildNodes()) {
            out.append("/>");
            return;
        }
        out.append('>');
        for (Object node : element.nodes()) {
            if (node instanceof String text) {
                escapeText(text, out);
            } else if (node instanceof XmlElement child) {
                write(child, out, Map.of());
            } else if (node instanceof XmlElement.Comment comment) {
                out.append("<!--").append(comment.text()).append("-->");
            }
        }
        out.append("</").append(name).append('>');
    }

    static void escapeText(String text, StringBuilder out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '\r' -> out.append("&#13;");
                default -> out.append(c);
            }
        }
    }

    static void escapeAttribute(String text, StringBuilder out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '"' -> out.append("&quot;");
                case '\n' -> out.append("&#10;");
                case '\r' -> out.append("&#13;");
                case '\t' -> out.append("&#9;");
                default -> out.append(c);
            }
        }
    }

    private static XMLInputFactory2 newFactory() {
        XMLInputFactory2 factory = new WstxInputFactory();
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, false);
        factory.setProperty(XMLInputFactory.IS_VALIDATING, false);
        factory.setXMLResolver((publicId, systemId, baseUri, namespace) -> {
            throw new XMLStreamException("DOCTYPE and external entities are not allowed");
        });
        // Eager parsing: every text is checked in the first pass, so the mapping pass meets no late error.
        factory.setProperty(WstxInputProperties.P_LAZY_PARSING, false);
        factory.setProperty(WstxInputProperties.P_MAX_ELEMENT_DEPTH, MAX_ELEMENT_DEPTH);
        factory.setProperty(WstxInputProperties.P_MAX_ATTRIBUTE_SIZE, MAX_ATTRIBUTE_CHARACTERS);
        factory.setProperty(WstxInputProperties.P_MAX_ATTRIBUTES_PER_ELEMENT, MAX_ATTRIBUTES_PER_ELEMENT);
        factory.setProperty(WstxInputProperties.P_INPUT_BUFFER_LENGTH, 16_000);
        return factory;
    }

    /** The source, with declarations of the repaired prefixes added to its root start tag. */
    private static InputStream open(Source source, Map<String, String> repaired) throws IOException {
        InputStream in = source.open();
        if (repaired.isEmpty()) {
            return in;
        }
        try {
            return declareOnRoot(in, repaired);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /**
     * Reads the head of the stream, inserts {@code xmlns:prefix="..."} after the root element's name, and returns
     * the head followed by the rest. ASCII-compatible encodings pass through unchanged (the head is handled as
     * ISO-8859-1, one char per byte); UTF-16 (recognised by its byte order mark) is decoded and encoded again.
     * When no root start tag is found in the head, the stream is returned as it was (and the parser refuses it).
     */
    private static InputStream declareOnRoot(InputStream in, Map<String, String> repaired) throws IOException {
        byte[] head = in.readNBytes(MAX_HEAD_BYTES);
        Charset charset = StandardCharsets.ISO_8859_1;
        int bom = 0;
        if (head.length >= 2 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xFE) {
            charset = StandardCharsets.UTF_16LE;
            bom = 2;
        } else if (head.length >= 2 && (head[0] & 0xFF) == 0xFE && (head[1] & 0xFF) == 0xFF) {
            charset = StandardCharsets.UTF_16BE;
            bom = 2;
        }
        String text = new String(head, bom, head.length - bom, charset);
        int nameEnd = rootNameEnd(text);
        if (nameEnd < 0) {
            return new SequenceInputStream(new ByteArrayInputStream(head), in);
        }
        StringBuilder declarations = new StringBuilder();
        repaired.forEach((prefix, namespace) -> declarations.append(" xmlns:").append(prefix).append("=\"").append(namespace).append('"'));
        int splitAt = bom + text.substring(0, nameEnd).getBytes(charset).length;
        byte[] inserted = declarations.toString().getBytes(charset);
        byte[] patched = new byte[head.length + inserted.length];
        System.arraycopy(head, 0, patched, 0, splitAt);
        System.arraycopy(inserted, 0, patched, splitAt, inserted.length);
        System.arraycopy(head, splitAt, patched, splitAt + inserted.length, head.length - splitAt);
        return new SequenceInputStream(new ByteArrayInputStream(patched), in);
    }

    /** Where the root element's name ends in the text, skipping the XML declaration, comments and PIs; -1 if not found. */
    private static int rootNameEnd(String text) {
        int at = 0;
        while (true) {
            at = text.indexOf('<', at);
            if (at < 0 || at + 1 >= text.length()) {
                return -1;
            }
            char next = text.charAt(at + 1);
            if (next == '?') {
                at = text.indexOf("?>", at);
            } else if (next == '!') {
                at = text.startsWith("<!--", at) ? text.indexOf("-->", at) : text.indexOf('>', at);
            } else {
                break;
            }
            if (at < 0) {
                return -1;
            }
        }
        int nameEnd = at + 1;
        while (nameEnd < text.length() && !Character.isWhitespace(text.charAt(nameEnd))
                && text.charAt(nameEnd) != '>' && text.charAt(nameEnd) != '/') {
            nameEnd++;
        }
        return nameEnd < text.length() ? nameEnd : -1;
    }

    static String namespaceFor(String prefix) {
        return switch (prefix) {
            case "xsi" -> XSI_NS;
            case "sdtc" -> SDTC_NS;
            case "cda", "hl7", "v3" -> CDA_NS;
            default -> "urn:undeclared-prefix:" + prefix;
        };
    }

    private static String where(XMLStreamException e) {
        return e.getLocation() == null ? "position unknown"
                : "line " + e.getLocation().getLineNumber() + ", column " + e.getLocation().getColumnNumber();
    }

    /**
     * The parser's own words, which describe markup, never content; without the location it repeats; cut short to
     * keep reports readable.
     */
    private static String parserReason(String message) {
        // Woodstox names the character it stumbled on: that can be a letter of a patient's name, so it goes.
        String oneLine = message.replaceAll("\\s+", " ").replaceAll(" at \\[row,col[^\\]]*\\]: \\[[^\\]]*\\]", "")
                .replaceAll("'[^']{1,2}' \\(code \\d+\\)", "").replaceAll("\\(code \\d+\\)", "")
                .replaceAll(" ?\\(at char #\\d+, byte #-?\\d+\\)", "").replaceAll("\\s+", " ").trim();
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }
}
