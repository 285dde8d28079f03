package org.ehrarchive.ingest.ccda;

import java.util.ArrayList;
import java.util.List;

/**
 * One element of the small tree the streaming C-CDA reader builds for each record (a header, a section's
 * narrative, one {@code <entry>}), so that memory is bounded by the largest record and not by the document.
 * Cheaper than a DOM and read only by this package: the reader appends nodes while it parses, the mappers only
 * read them.
 * <p>
 * Each element knows its locator step ({@code entry[2]}, {@code act}) as the whole file's structure dictates
 * ({@link HardenedXml.Shape}), so {@link #locator()} is the absolute XPath of the element in the original.
 */
final class XmlElement {

    /** A comment, kept so that raw fragments show what the source said. */
    record Comment(String text) {
    }

    private static final String[] NO_ATTRIBUTES = new String[0];

    private final String namespace;
    private final String localName;
    private final String prefix;
    private final String step;
    private final XmlElement parent;
    /** The locator of this element's parent, for the root of a record tree (whose parent is not kept). */
    private final String parentLocator;
    /** Attributes as quadruples: namespace (or null), local name, prefix (or ""), value. */
    private String[] attributes = NO_ATTRIBUTES;
    /** Namespace declarations made on this element, as pairs: prefix ("" for the default), URI. */
    private String[] declarations = NO_ATTRIBUTES;
    private List<Object> children = List.of();

    private XmlElement(String namespace, String localName, String prefix, String step, XmlElement parent, String parentLocator) {
        this.namespace = namespace == null || namespace.isEmpty() ? null : namespace;
        this.localName = localName;
        this.prefix = prefix == null ? "" : prefix;
        this.step = step;
        this.parent = parent;
        this.parentLocator = parentLocator;
    }

    /** The root of a record tree, whose ancestors are known only by their locator. */
    static XmlElement root(String namespace, String localName, String prefix, String step, String parentLocator) {
        return new XmlElement(namespace, localName, prefix, step, null, parentLocator);
    }

    /** Appends a child element and returns it. */
    XmlElement addElement(String namespace, String localName, String prefix, String step) {
        XmlElement child = new XmlElement(namespace, localName, prefix, step, this, null);
        append(child);
        return child;
    }

    void addText(String text) {
        int last = children.size() - 1;
        if (last >= 0 && children.get(last) instanceof String previous) {
            children.set(last, previous + text); // the parser may split one text node into several events
        } else {
            append(text);
        }
    }

    void addComment(String text) {
        append(new Comment(text));
    }

    void setAttributes(String[] quadruples) {
        this.attributes = quadruples;
    }

    void setDeclarations(String[] pairs) {
        this.declarations = pairs;
    }

    private void append(Object node) {
        if (children.isEmpty()) {
            children = new ArrayList<>(4);
        }
        children.add(node);
    }

    String namespace() {
        return namespace;
    }

    String localName() {
        return localName;
    }

    String prefix() {
        return prefix;
    }

    XmlElement parent() {
        return parent;
    }

    /** Child nodes in document order: {@link XmlElement}, {@link String} (text) or {@link Comment}. Read only. */
    List<Object> nodes() {
        return children; // package-private, read by the mappers only: no defensive copy on the hot path
    }

    String[] attributeQuadruples() {
        return attributes;
    }

    String[] declarationPairs() {
        return declarations;
    }

    /** The value of the attribute with this local name and no namespace, or null. */
    String attribute(String name) {
        for (int i = 0; i < attributes.length; i += 4) {
            if (attributes[i] == null && attributes[i + 1].equals(name)) {
                return attributes[i + 3];
            }
        }
        return null;
    }

    /** The value of the attribute with this namespace and local name, or null. */
    String attribute(String attributeNamespace, String name) {
        for (int i = 0; i < attributes.length; i += 4) {
            if (attributeNamespace.equals(attributes[i]) && attributes[i + 1].equals(name)) {
                return attributes[i + 3];
            }
        }
        return null;
    }

    /** Whether the element has any child node (element, text or comment). */
    boolean hasChildNodes() {
        return !children.isEmpty();
    }

    /** Child elements in document order. */
    List<XmlElement> elements() {
        List<XmlElement> elements = new ArrayList<>(children.size());
        for (Object node : children) {
            if (node instanceof XmlElement element) {
                elements.add(element);
            }
        }
        return elements;
    }

    /** All text of the element and its descendants, in document order, as given (the DOM's text content). */
    String textContent() {
        if (children.size() == 1 && children.get(0) instanceof String only) {
            return only;
        }
        StringBuilder text = new StringBuilder();
        appendText(text);
        return text.toString();
    }

    private void appendText(StringBuilder text) {
        for (Object node : children) {
            if (node instanceof String s) {
                text.append(s);
            } else if (node instanceof XmlElement element) {
                element.appendText(text);
            }
        }
    }

    /** This element's step of its locator, such as {@code entry[2]}. */
    String step() {
        return step;
    }

    /** The absolute XPath of this element in the original file (see {@link XmlLocator}). */
    String locator() {
        int depth = 0;
        XmlElement top = this;
        for (XmlElement e = this; e != null; e = e.parent) {
            depth++;
            top = e;
        }
        String[] steps = new String[depth];
        int i = depth;
        for (XmlElement e = this; e != null; e = e.parent) {
            steps[--i] = e.step;
        }
        StringBuilder locator = new StringBuilder(top.parentLocator == null ? "" : top.parentLocator);
        for (String s : steps) {
            locator.append('/').append(s);
        }
        return locator.toString();
    }
}
