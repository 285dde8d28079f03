package org.ehrarchive.ingest.ccda;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Provenance locators for XML sources: an absolute XPath from the document root to an element, one step per
 * level, with a position {@code [n]} wherever the parent has more than one child of that name, so that the path
 * selects exactly one element. Unprefixed names are in the CDA namespace ({@code urn:hl7-org:v3}); elements of
 * other namespaces carry their prefix ({@code sdtc:}).
 * Example: {@code /ClinicalDocument/component/structuredBody/component[3]/section/entry[2]/act}.
 */
public final class XmlLocator {

    private static final Pattern STEP = Pattern.compile("(?:([\\w.-]+):)?([\\w.-]+)(?:\\[(\\d+)\\])?");

    private XmlLocator() {
    }

    /**
     * One step of a locator: the element's name (with {@code sdtc:} or its own prefix outside the CDA namespace),
     * and its 1-based position among the siblings of the same name when it has any ({@code repeated}).
     */
    static String step(String namespace, String prefix, String localName, int position, boolean repeated) {
        String name = prefixFor(namespace, prefix) + localName;
        return repeated ? name + "[" + position + "]" : name;
    }

    /** Finds the element a locator names in a parsed document, or null when it names nothing. */
    public static Element resolve(Document document, String locator) {
        String[] steps = locator.substring(1).split("/");
        Element current = null;
        for (int i = 0; i < steps.length; i++) {
            Matcher m = STEP.matcher(steps[i]);
            if (!m.matches()) {
                return null;
            }
            String namespace = m.group(1) == null ? HardenedXml.CDA_NS : HardenedXml.SDTC_NS;
            String name = m.group(2);
            int position = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
            if (i == 0) {
                Element root = document.getDocumentElement();
                current = matches(root, namespace, name) ? root : null;
            } else {
                current = nthChild(current, namespace, name, position);
            }
            if (current == null) {
                return null;
            }
        }
        return current;
    }

    private static String prefixFor(String namespace, String prefix) {
        if (namespace == null || namespace.isEmpty() || HardenedXml.CDA_NS.equals(namespace)) {
            return "";
        }
        return HardenedXml.SDTC_NS.equals(namespace) ? "sdtc:" : (prefix == null || prefix.isEmpty() ? "" : prefix + ":");
    }

    private static boolean matches(Element element, String namespace, String name) {
        return name.equals(element.getLocalName())
                && (namespace.equals(element.getNamespaceURI()) || (element.getNamespaceURI() == null && namespace.equals(HardenedXml.CDA_NS)));
    }

    private static Element nthChild(Element parent, String namespace, String name, int position) {
        int seen = 0;
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element child && matches(child, namespace, name) && ++seen == position) {
                return child;
            }
        }
        return null;
    }
}
