package org.ehrarchive.ingest.ccda;

import java.util.ArrayDeque;
import java.util.Deque;
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

    /** The locator of an element. */
    public static String of(Element element) {
        Deque<String> steps = new ArrayDeque<>();
        for (Node node = element; node instanceof Element current; node = node.getParentNode()) {
            steps.push(step(current));
        }
        return "/" + String.join("/", steps);
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

    private static String step(Element element) {
        String name = prefixFor(element) + element.getLocalName();
        Node parent = element.getParentNode();
        if (!(parent instanceof Element)) {
            return name;
        }
        int position = 0;
        int count = 0;
        for (Node sibling = parent.getFirstChild(); sibling != null; sibling = sibling.getNextSibling()) {
            if (sibling instanceof Element other && sameName(other, element)) {
                count++;
                if (other == element) {
                    position = count;
                }
            }
        }
        return count > 1 ? name + "[" + position + "]" : name;
    }

    private static String prefixFor(Element element) {
        String namespace = element.getNamespaceURI();
        if (namespace == null || HardenedXml.CDA_NS.equals(namespace)) {
            return "";
        }
        return HardenedXml.SDTC_NS.equals(namespace) ? "sdtc:" : (element.getPrefix() == null ? "" : element.getPrefix() + ":");
    }

    private static boolean sameName(Element a, Element b) {
        return a.getLocalName().equals(b.getLocalName()) && java.util.Objects.equals(a.getNamespaceURI(), b.getNamespaceURI());
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
