package org.ehrarchive.ingest.ccda;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The mapping pass over a C-CDA file: a StAX reader that knows, for every element, its locator step (from the
 * sibling positions it counts and the {@link HardenedXml.Shape} of the whole file), and that can turn the element
 * it stands on into an {@link XmlElement} tree (a record) or skip it.
 * <p>
 * Every start tag is counted, whether it is streamed past, skipped or built into a tree, so that element indexes
 * and positions match those of the first pass.
 */
final class XmlCursor {

    /** The most characters (text and attribute values) one record tree may hold; a larger record is not built. */
    static final int MAX_RECORD_CHARACTERS = 8_000_000;
    /** What an element counts against that limit beside its text, for its object and name. */
    private static final int ELEMENT_COST = 32;

    private final XMLStreamReader reader;
    private final BitSet repeated;
    private final HardenedXml.SiblingCounter siblings = new HardenedXml.SiblingCounter(null);
    private int nextIndex;
    private String step;
    private boolean oversized;

    XmlCursor(XMLStreamReader reader, HardenedXml.Shape shape) {
        this.reader = reader;
        this.repeated = shape.repeated();
    }

    /** Moves to the next event: a start or end tag, text, a comment, or the end of the document. */
    int next() throws XMLStreamException {
        int event = reader.next();
        if (event == XMLStreamConstants.START_ELEMENT) {
            int index = nextIndex++;
            int position = siblings.start(reader.getNamespaceURI(), reader.getLocalName(), index);
            step = XmlLocator.step(reader.getNamespaceURI(), reader.getPrefix(), reader.getLocalName(), position, repeated.get(index));
        } else if (event == XMLStreamConstants.END_ELEMENT) {
            siblings.end();
        }
        return event;
    }

    /** Moves to the next start tag among the current element's children, or to its end tag; returns which. */
    int nextChild() throws XMLStreamException {
        while (true) {
            int event = next();
            if (event == XMLStreamConstants.START_ELEMENT || event == XMLStreamConstants.END_ELEMENT
                    || event == XMLStreamConstants.END_DOCUMENT) {
                return event;
            }
        }
    }

    /** On a start tag: the element's locator step. */
    String step() {
        return step;
    }

    String localName() {
        return reader.getLocalName();
    }

    String namespace() {
        return reader.getNamespaceURI();
    }

    /** On a start tag: whether it is a CDA element of this name (the CDA namespace, or none). */
    boolean isCda(String localName) {
        String namespace = reader.getNamespaceURI();
        return localName.equals(reader.getLocalName())
                && (namespace == null || namespace.isEmpty() || HardenedXml.CDA_NS.equals(namespace));
    }

    /** On a start tag: an attribute without namespace, or null. */
    String attribute(String name) {
        return reader.getAttributeValue(null, name);
    }

    /** On text: the text. */
    String text() {
        return reader.getText();
    }

    boolean isText(int event) {
        return event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.CDATA || event == XMLStreamConstants.SPACE;
    }

    /** On a start tag: a tree root for it, with its attributes and declarations, and nothing below it yet. */
    XmlElement startTree(String parentLocator) {
        XmlElement root = XmlElement.root(reader.getNamespaceURI(), reader.getLocalName(), reader.getPrefix(), step, parentLocator);
        copyAttributes(root);
        return root;
    }

    /** On a start tag: reads the element and everything in it into a new child of {@code parent}. */
    XmlElement treeUnder(XmlElement parent) throws XMLStreamException {
        XmlElement child = parent.addElement(reader.getNamespaceURI(), reader.getLocalName(), reader.getPrefix(), step);
        copyAttributes(child);
        appendChildren(child);
        return child;
    }

    /** Whether the last tree built with {@link #tree} or {@link #appendChildren} was cut off at the size limit. */
    boolean lastTreeOversized() {
        return oversized;
    }

    /** On a start tag: reads the element and everything in it into a tree, and stands on its end tag. */
    XmlElement tree(String parentLocator) throws XMLStreamException {
        XmlElement root = startTree(parentLocator);
        appendChildren(root);
        return root;
    }

    /**
     * Reads the content of the element the cursor stands on (just after its start tag) into {@code into}, up to
     * and including its end tag.
     */
    void appendChildren(XmlElement into) throws XMLStreamException {
        oversized = false;
        long characters = 0;
        List<XmlElement> open = new ArrayList<>();
        open.add(into);
        while (!open.isEmpty()) {
            int event = next();
            XmlElement current = open.get(open.size() - 1);
            switch (event) {
                case XMLStreamConstants.START_ELEMENT -> {
                    XmlElement child = current.addElement(reader.getNamespaceURI(), reader.getLocalName(), reader.getPrefix(), step);
                    characters += ELEMENT_COST + copyAttributes(child);
                    open.add(child);
                }
                case XMLStreamConstants.END_ELEMENT -> open.remove(open.size() - 1);
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                    String text = reader.getText();
                    characters += text.length();
                    current.addText(text);
                }
                case XMLStreamConstants.COMMENT -> current.addComment(reader.getText());
                case XMLStreamConstants.END_DOCUMENT -> throw new XMLStreamException("Unexpected end of document");
                default -> {
                    // processing instructions: no part of a clinical record
                }
            }
            if (characters > MAX_RECORD_CHARACTERS && !open.isEmpty()) {
                // Too large to map in memory: pass over the rest of the record; the original keeps it.
                oversized = true;
                skipOpen(open.size());
                return;
            }
        }
    }

    /**
     * On a start tag: writes the element and everything in it as XML text, as it is read, without building a tree
     * (a section's narrative can be megabytes). Prefixes it uses but does not declare are declared where they are
     * first used, so that the text reads as the same XML on its own. Returns false, and passes over the rest, when the
     * text would grow beyond {@code maxCharacters}.
     */
    boolean serialize(StringBuilder out, long maxCharacters) throws XMLStreamException {
        java.util.ArrayDeque<java.util.Map<String, String>> scopes = new java.util.ArrayDeque<>();
        scopes.push(java.util.Map.of());
        boolean startOpen = false;
        int depth = 0;
        int event = XMLStreamConstants.START_ELEMENT;
        while (true) {
            if (event == XMLStreamConstants.START_ELEMENT) {
                if (startOpen) {
                    out.append('>');
                }
                java.util.Map<String, String> scope = new java.util.HashMap<>(scopes.peek());
                String name = qualified(reader.getPrefix(), reader.getLocalName());
                out.append('<').append(name);
                for (int i = 0; i < reader.getNamespaceCount(); i++) {
                    String prefix = reader.getNamespacePrefix(i) == null ? "" : reader.getNamespacePrefix(i);
                    String uri = reader.getNamespaceURI(i) == null ? "" : reader.getNamespaceURI(i);
                    declare(out, prefix, uri);
                    scope.put(prefix, uri);
                }
                declareIfNeeded(out, scope, reader.getPrefix(), reader.getNamespaceURI());
                for (int i = 0; i < reader.getAttributeCount(); i++) {
                    String prefix = reader.getAttributePrefix(i) == null ? "" : reader.getAttributePrefix(i);
                    if (!prefix.isEmpty() && !"xml".equals(prefix)) {
                        declareIfNeeded(out, scope, prefix, reader.getAttributeNamespace(i));
                    }
                }
                for (int i = 0; i < reader.getAttributeCount(); i++) {
                    String prefix = reader.getAttributePrefix(i) == null ? "" : reader.getAttributePrefix(i);
                    out.append(' ').append(qualified(prefix, reader.getAttributeLocalName(i))).append("=\"");
                    HardenedXml.escapeAttribute(reader.getAttributeValue(i), out);
                    out.append('"');
                }
                scopes.push(scope);
                startOpen = true;
                depth++;
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                if (startOpen) {
                    out.append("/>");
                    startOpen = false;
                } else {
                    out.append("</").append(qualified(reader.getPrefix(), reader.getLocalName())).append('>');
                }
                scopes.pop();
                if (--depth == 0) {
                    return true;
                }
            } else if (isText(event) || event == XMLStreamConstants.COMMENT) {
                if (startOpen) {
                    out.append('>');
                    startOpen = false;
                }
                if (event == XMLStreamConstants.COMMENT) {
                    out.append("<!--").append(reader.getText()).append("-->");
                } else {
                    HardenedXml.escapeText(reader.getText(), out);
                }
            } else if (event == XMLStreamConstants.END_DOCUMENT) {
                throw new XMLStreamException("Unexpected end of document");
            }
            if (out.length() > maxCharacters) {
                skipOpen(depth);
                return false;
            }
            event = next();
        }
    }

    private static String qualified(String prefix, String localName) {
        return prefix == null || prefix.isEmpty() ? localName : prefix + ":" + localName;
    }

    private static void declare(StringBuilder out, String prefix, String uri) {
        out.append(prefix.isEmpty() ? " xmlns" : " xmlns:" + prefix).append("=\"");
        HardenedXml.escapeAttribute(uri, out);
        out.append('"');
    }

    private static void declareIfNeeded(StringBuilder out, java.util.Map<String, String> scope, String prefix, String namespace) {
        String p = prefix == null ? "" : prefix;
        String uri = namespace == null ? "" : namespace;
        if (!uri.equals(scope.getOrDefault(p, ""))) {
            declare(out, p, uri);
            scope.put(p, uri);
        }
    }

    /** On a start tag: passes over the element and everything in it, counting its elements, to its end tag. */
    void skip() throws XMLStreamException {
        skipOpen(1);
    }

    private void skipOpen(int openElements) throws XMLStreamException {
        int depth = openElements;
        while (depth > 0) {
            int event = next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                depth++;
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                depth--;
            } else if (event == XMLStreamConstants.END_DOCUMENT) {
                throw new XMLStreamException("Unexpected end of document");
            }
        }
    }

    private long copyAttributes(XmlElement element) {
        long characters = 0;
        int count = reader.getAttributeCount();
        if (count > 0) {
            String[] attributes = new String[count * 4];
            for (int i = 0; i < count; i++) {
                String namespace = reader.getAttributeNamespace(i);
                attributes[i * 4] = namespace == null || namespace.isEmpty() ? null : namespace;
                attributes[i * 4 + 1] = reader.getAttributeLocalName(i);
                String prefix = reader.getAttributePrefix(i);
                attributes[i * 4 + 2] = prefix == null ? "" : prefix;
                attributes[i * 4 + 3] = reader.getAttributeValue(i);
                characters += attributes[i * 4 + 3].length();
            }
            element.setAttributes(attributes);
        }
        int declarations = reader.getNamespaceCount();
        if (declarations > 0) {
            String[] pairs = new String[declarations * 2];
            for (int i = 0; i < declarations; i++) {
                String prefix = reader.getNamespacePrefix(i);
                pairs[i * 2] = prefix == null ? "" : prefix;
                pairs[i * 2 + 1] = reader.getNamespaceURI(i) == null ? "" : reader.getNamespaceURI(i);
            }
            element.setDeclarations(pairs);
        }
        return characters;
    }
}
