package org.ehrarchive.ingest.ccda;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

    /**
     * One step of a locator as it is read: the element's namespace (the default one when the step has no prefix,
     * {@code sdtc:} otherwise), its local name, and its 1-based position among the siblings of that name.
     */
    public record Step(String namespace, String localName, int position) {

        /** Whether an element is one of those this step counts; an element in no namespace counts as in the default one. */
        public boolean names(String elementNamespace, String elementLocalName, String defaultNamespace) {
            return localName.equals(elementLocalName) && (namespace.equals(elementNamespace)
                    || ((elementNamespace == null || elementNamespace.isEmpty()) && namespace.equals(defaultNamespace)));
        }
    }

    /**
     * The steps of a locator whose unprefixed names are in {@code defaultNamespace} (the CDA one for C-CDA); empty
     * when the text is no locator of this form.
     */
    public static Optional<List<Step>> steps(String locator, String defaultNamespace) {
        if (!locator.startsWith("/") || locator.length() == 1) {
            return Optional.empty();
        }
        List<Step> steps = new ArrayList<>();
        for (String step : locator.substring(1).split("/", -1)) {
            Matcher m = STEP.matcher(step);
            if (!m.matches()) {
                return Optional.empty();
            }
            String namespace = m.group(1) == null ? defaultNamespace : HardenedXml.SDTC_NS;
            steps.add(new Step(namespace, m.group(2), m.group(3) == null ? 1 : Integer.parseInt(m.group(3))));
        }
        return Optional.of(steps);
    }

    /** Finds the element a locator names in a parsed document, or null when it names nothing. */
    public static Element resolve(Document document, String locator) {
        Optional<List<Step>> steps = steps(locator, HardenedXml.CDA_NS);
        if (steps.isEmpty()) {
            return null;
        }
        Element current = null;
        for (Step step : steps.get()) {
            if (current == null) {
                Element root = document.getDocumentElement();
                current = matches(root, step) ? root : null;
            } else {
                current = nthChild(current, step);
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

    private static boolean matches(Element element, Step step) {
        return step.names(element.getNamespaceURI(), element.getLocalName(), HardenedXml.CDA_NS);
    }

    private static Element nthChild(Element parent, Step step) {
        int seen = 0;
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element child && matches(child, step) && ++seen == step.position()) {
                return child;
            }
        }
        return null;
    }
}
