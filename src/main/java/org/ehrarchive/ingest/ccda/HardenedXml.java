package org.ehrarchive.ingest.ccda;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.ehrarchive.ingest.IngestError;
import org.ehrarchive.ingest.QuarantineException;
import org.w3c.dom.Document;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Parses source XML safely (architecture D5): no DTDs at all (so no external entities, no external DTD, no entity
 * expansion bombs), JAXP secure processing limits, no network or file access from the parser.
 * <p>
 * Real exports use the {@code xsi:} and {@code sdtc:} prefixes without declaring them (several of HL7's own
 * examples do). Such a file is read leniently: the missing declarations are added to a copy in memory and
 * the file is parsed again; the original bytes in the blob store are untouched, and a warning is returned.
 */
final class HardenedXml {

    static final String XSI_NS = XMLConstants.W3C_XML_SCHEMA_INSTANCE_NS_URI;
    static final String SDTC_NS = "urn:hl7-org:sdtc";
    static final String CDA_NS = "urn:hl7-org:v3";

    private static final Pattern UNBOUND_PREFIX = Pattern.compile("prefix \"([A-Za-z_][\\w.-]*)\" for (?:attribute|element)");
    private static final int MAX_PREFIX_REPAIRS = 8;

    private static final ErrorHandler SILENT = new ErrorHandler() {
        @Override
        public void warning(SAXParseException exception) {
        }

        @Override
        public void error(SAXParseException exception) throws SAXException {
            throw exception;
        }

        @Override
        public void fatalError(SAXParseException exception) throws SAXException {
            throw exception;
        }
    };

    private HardenedXml() {
    }

    /** A parsed document, and the warnings about leniency applied to read it. */
    record Parsed(Document document, Set<String> warnings) {
    }

    static Parsed parse(byte[] bytes) throws QuarantineException {
        Set<String> warnings = new LinkedHashSet<>();
        byte[] current = bytes;
        for (int attempt = 0; ; attempt++) {
            try {
                return new Parsed(newBuilder().parse(new ByteArrayInputStream(current)), warnings);
            } catch (SAXParseException e) {
                String message = String.valueOf(e.getMessage());
                if (message.contains("DOCTYPE")) {
                    throw new QuarantineException(IngestError.XML_DOCTYPE_FORBIDDEN, null);
                }
                if (message.contains("limit") && message.contains("JAXP")) {
                    throw new QuarantineException(IngestError.XML_LIMIT_EXCEEDED, lineOf(e));
                }
                Matcher unbound = UNBOUND_PREFIX.matcher(message);
                if (unbound.find() && attempt < MAX_PREFIX_REPAIRS) {
                    String prefix = unbound.group(1);
                    byte[] repaired = declarePrefixOnRoot(current, prefix);
                    if (repaired != null) {
                        warnings.add("undeclared namespace prefix '" + prefix + "' read as " + namespaceFor(prefix));
                        current = repaired;
                        continue;
                    }
                }
                throw new QuarantineException(IngestError.XML_NOT_WELL_FORMED, lineOf(e) + ": " + parserReason(message));
            } catch (SAXException e) {
                throw new QuarantineException(IngestError.XML_NOT_WELL_FORMED, parserReason(String.valueOf(e.getMessage())));
            } catch (IOException e) {
                throw new QuarantineException(IngestError.READ_FAILED, e.getClass().getSimpleName());
            }
        }
    }

    /** Serializes an element (and its subtree) back to XML text, without an XML declaration. */
    static String serialize(Node node) {
        try {
            Transformer transformer = TRANSFORMERS.get();
            StringWriter out = new StringWriter();
            transformer.transform(new DOMSource(node), new StreamResult(out));
            return out.toString();
        } catch (TransformerException e) {
            throw new IllegalStateException("Could not serialize a parsed XML node", e);
        }
    }

    private static final ThreadLocal<Transformer> TRANSFORMERS = ThreadLocal.withInitial(() -> {
        try {
            TransformerFactory factory = TransformerFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
            Transformer transformer = factory.newTransformer();
            transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            return transformer;
        } catch (TransformerException e) {
            throw new IllegalStateException("No XML transformer available", e);
        }
    });

    private static final ThreadLocal<DocumentBuilder> BUILDERS = ThreadLocal.withInitial(() -> {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            return factory.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("The XML parser does not support the required hardening features", e);
        }
    });

    private static DocumentBuilder newBuilder() {
        DocumentBuilder builder = BUILDERS.get();
        builder.reset();
        builder.setErrorHandler(SILENT);
        builder.setEntityResolver((publicId, systemId) -> {
            throw new SAXException("DOCTYPE and external entities are not allowed");
        });
        return builder;
    }


    /**
     * Adds {@code xmlns:prefix="..."} to the root element's start tag of a copy. Works on the bytes as ISO-8859-1
     * so that any ASCII-compatible encoding (UTF-8, Windows-1252...) passes through unchanged; UTF-16 (recognised
     * by its byte order mark) is decoded and encoded again. Returns null when the root start tag cannot be found.
     */
    private static byte[] declarePrefixOnRoot(byte[] bytes, String prefix) {
        java.nio.charset.Charset charset = StandardCharsets.ISO_8859_1;
        if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE) {
            charset = StandardCharsets.UTF_16LE;
        } else if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF) {
            charset = StandardCharsets.UTF_16BE;
        }
        String text = new String(bytes, charset);
        int at = 0;
        while (true) {
            at = text.indexOf('<', at);
            if (at < 0 || at + 1 >= text.length()) {
                return null;
            }
            char next = text.charAt(at + 1);
            if (next == '?' || next == '!') {
                at++;
                continue;
            }
            break;
        }
        int nameEnd = at + 1;
        while (nameEnd < text.length() && !Character.isWhitespace(text.charAt(nameEnd))
                && text.charAt(nameEnd) != '>' && text.charAt(nameEnd) != '/') {
            nameEnd++;
        }
        String declaration = " xmlns:" + prefix + "=\"" + namespaceFor(prefix) + "\"";
        return (text.substring(0, nameEnd) + declaration + text.substring(nameEnd)).getBytes(charset);
    }

    private static String namespaceFor(String prefix) {
        return switch (prefix) {
            case "xsi" -> XSI_NS;
            case "sdtc" -> SDTC_NS;
            case "cda", "hl7", "v3" -> CDA_NS;
            default -> "urn:undeclared-prefix:" + prefix;
        };
    }

    private static String lineOf(SAXParseException e) {
        return "line " + e.getLineNumber() + ", column " + e.getColumnNumber();
    }

    /** The parser's own words, which describe markup, never content; cut short to keep reports readable. */
    private static String parserReason(String message) {
        String oneLine = message.replaceAll("\\s+", " ").trim();
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }
}
