package org.ehrarchive.provenance;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import org.codehaus.stax2.XMLStreamReader2;
import org.codehaus.stax2.XMLStreamWriter2;
import org.ehrarchive.ingest.ccda.HardenedXml;
import org.ehrarchive.ingest.ccda.XmlLocator;

import com.ctc.wstx.stax.WstxOutputFactory;

/**
 * The element a path of {@link XmlLocator.Step steps} names in an XML original, written out on its own. The original is
 * read with the importers' hardened parser ({@link HardenedXml#read}: no DTD, no entities, the same limits, undeclared
 * prefixes declared as the importer declares them), as a stream: the siblings before each step are skipped, and reading
 * stops at the element's end tag, or as soon as the excerpt is full.
 */
final class XmlExcerpts {

    /** A step that takes the first element whatever its name: a FHIR resource, whose element is named by its type. */
    static final XmlLocator.Step ANY_ELEMENT = new XmlLocator.Step("", "*", 1);

    private static final XMLOutputFactory OUTPUT = new WstxOutputFactory();

    private XmlExcerpts() {
    }

    /**
     * The element at {@code path}, unprefixed names in {@code defaultNamespace}; empty when the path names none. With
     * {@code headerOnly}, the root element is written without its body (see {@link #write}).
     */
    static Optional<SourceExcerpts.Excerpt> excerpt(SourceExcerpts.Original original, List<XmlLocator.Step> path, String defaultNamespace,
            boolean headerOnly, String note) throws IOException {
        try {
            return HardenedXml.read(original::open, reader -> {
                Map<String, String> inScope = new LinkedHashMap<>();
                if (!moveTo((XMLStreamReader2) reader, path, defaultNamespace, inScope)) {
                    return Optional.empty();
                }
                CappedText text = new CappedText();
                write((XMLStreamReader2) reader, inScope, headerOnly, text);
                return Optional.of(text.excerpt("xml", note));
            });
        } catch (XMLStreamException e) {
            // The parser's message may quote the text it stumbled on (patient data): only where it stumbled.
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNumber() + ", column " + e.getLocation().getColumnNumber();
            throw new IOException("the original is not readable XML" + where);
        }
    }

    /**
     * Moves the reader onto the start tag of the element the path names; false when it names none. Collects the namespace
     * declarations of its ancestors, which the excerpt must declare again to stand on its own.
     */
    private static boolean moveTo(XMLStreamReader2 reader, List<XmlLocator.Step> path, String defaultNamespace, Map<String, String> inScope)
            throws XMLStreamException {
        int event = reader.next();
        while (event != XMLStreamConstants.START_ELEMENT) {
            if (event == XMLStreamConstants.DTD) {
                throw new XMLStreamException("DOCTYPE is not allowed", reader.getLocation());
            }
            if (event == XMLStreamConstants.END_DOCUMENT) {
                return false;
            }
            event = reader.next();
        }
        if (!names(path.get(0), reader, defaultNamespace)) {
            return false;
        }
        for (XmlLocator.Step step : path.subList(1, path.size())) {
            declarationsOf(reader, inScope);
            int seen = 0;
            while (true) {
                event = reader.next();
                if (event == XMLStreamConstants.END_ELEMENT) {
                    return false;
                }
                if (event == XMLStreamConstants.START_ELEMENT) {
                    if (names(step, reader, defaultNamespace) && ++seen == step.position()) {
                        break;
                    }
                    reader.skipElement();
                }
            }
        }
        return true;
    }

    private static boolean names(XmlLocator.Step step, XMLStreamReader reader, String defaultNamespace) {
        return step == ANY_ELEMENT || step.names(reader.getNamespaceURI(), reader.getLocalName(), defaultNamespace);
    }

    private static void declarationsOf(XMLStreamReader reader, Map<String, String> inScope) {
        for (int i = 0; i < reader.getNamespaceCount(); i++) {
            String prefix = reader.getNamespacePrefix(i) == null ? "" : reader.getNamespacePrefix(i);
            inScope.put(prefix, reader.getNamespaceURI(i) == null ? "" : reader.getNamespaceURI(i));
        }
    }

    /**
     * Copies the element the reader stands on, event by event, declaring on its start tag what its ancestors declared.
     * With {@code headerOnly} (a C-CDA document record), the first CDA {@code component} child, which the importer reads as
     * the document's body, is replaced by a comment and reading stops there: the document record is its header, its
     * sections and entries are records of their own (and header elements after the body too).
     */
    private static void write(XMLStreamReader2 reader, Map<String, String> inScope, boolean headerOnly, CappedText text)
            throws XMLStreamException {
        XMLStreamWriter2 writer = (XMLStreamWriter2) OUTPUT.createXMLStreamWriter(text);
        writer.copyEventFromReader(reader, false);
        redeclare(reader, inScope, writer);
        int depth = 1;
        while (depth > 0 && !text.full()) {
            int event = reader.next();
            if (headerOnly && depth == 1 && event == XMLStreamConstants.START_ELEMENT && "component".equals(reader.getLocalName())
                    && isCda(reader.getNamespaceURI())) {
                writer.writeComment(" body: see the sections ");
                writer.writeEndElement();
                break;
            }
            writer.copyEventFromReader(reader, false);
            if (event == XMLStreamConstants.START_ELEMENT) {
                depth++;
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                depth--;
            }
            writer.flush();
        }
        writer.flush();
    }

    /** A CDA element, as the importer tells them: in the CDA namespace, or in none. */
    private static boolean isCda(String namespace) {
        return namespace == null || namespace.isEmpty() || HardenedXml.CDA_NS.equals(namespace);
    }

    /** On the excerpt's own start tag: the declarations of its ancestors that it does not make itself. */
    private static void redeclare(XMLStreamReader reader, Map<String, String> inScope, XMLStreamWriter2 writer) throws XMLStreamException {
        Map<String, String> inherited = new LinkedHashMap<>(inScope);
        for (int i = 0; i < reader.getNamespaceCount(); i++) {
            inherited.remove(reader.getNamespacePrefix(i) == null ? "" : reader.getNamespacePrefix(i));
        }
        for (Map.Entry<String, String> declaration : inherited.entrySet()) {
            if (declaration.getKey().isEmpty()) {
                writer.writeDefaultNamespace(declaration.getValue());
            } else if (!declaration.getValue().isEmpty()) {
                writer.writeNamespace(declaration.getKey(), declaration.getValue());
            }
        }
    }
}
