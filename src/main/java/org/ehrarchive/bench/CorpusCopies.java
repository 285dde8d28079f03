package org.ehrarchive.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Makes distinct copies of a real export folder for the benchmark ({@code bench --input FOLDER --copies N}): in
 * each copy, the patients' identifiers and the documents' ids are rewritten, so that every copy is a new set of
 * patients and nothing is a duplicate of another copy. C-CDA files (UTF-8) are rewritten; other files are copied as
 * they are (they are then duplicates from the second copy on, and the report says so).
 */
public final class CorpusCopies {

    private static final Pattern PATIENT_ROLE = Pattern.compile("(?s)<((?:\\w+:)?)patientRole\\b.*?</\\1patientRole>");
    private static final Pattern ID = Pattern.compile("<((?:\\w+:)?)(id|setId)\\b([^>]*?)(/?)>");
    private static final Pattern EXTENSION = Pattern.compile("\\bextension=\"([^\"]*)\"");
    private static final Pattern ROOT = Pattern.compile("\\broot=\"([^\"]*)\"");
    private static final Pattern DOCUMENT_ROOT = Pattern.compile("<(?:\\w+:)?ClinicalDocument\\b");

    private CorpusCopies() {
    }

    /** What was copied: files and bytes in all. */
    public record Copied(int files, long bytes) {
    }

    /** Writes {@code copies} copies of {@code input} into {@code target}, as {@code copy-1/...}, {@code copy-2/...}. */
    public static Copied write(Path input, Path target, int copies) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(input)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        int count = 0;
        long bytes = 0;
        for (int copy = 1; copy <= copies; copy++) {
            for (Path file : files) {
                Path out = target.resolve("copy-" + copy).resolve(input.relativize(file).toString());
                Files.createDirectories(out.getParent());
                byte[] original = Files.readAllBytes(file);
                byte[] written = isUtf8Ccda(original) ? rewrite(new String(original, StandardCharsets.UTF_8), copy)
                        .getBytes(StandardCharsets.UTF_8) : original;
                Files.write(out, written);
                count++;
                bytes += written.length;
            }
        }
        return new Copied(count, bytes);
    }

    private static boolean isUtf8Ccda(byte[] bytes) {
        String head = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.UTF_8);
        return head.contains("ClinicalDocument") && !(bytes.length >= 2 && ((bytes[0] & 0xFF) == 0xFE || (bytes[0] & 0xFF) == 0xFF));
    }

    /** The document with copy {@code n}'s identifiers: every patientRole id, and the document's own id and setId. */
    static String rewrite(String document, int n) {
        String suffix = "-copy" + n;
        Matcher roles = PATIENT_ROLE.matcher(document);
        StringBuilder out = new StringBuilder(document.length() + 256);
        while (roles.find()) {
            roles.appendReplacement(out, Matcher.quoteReplacement(rewriteIds(roles.group(), suffix, n)));
        }
        roles.appendTail(out);
        Matcher root = DOCUMENT_ROOT.matcher(out);
        if (root.find()) {
            // The document's id and setId are the first ones after its start tag, before the recordTarget.
            int end = out.indexOf("recordTarget", root.end());
            if (end > 0) {
                String header = rewriteIds(out.substring(root.end(), end), suffix, n);
                out.replace(root.end(), end, header);
            }
        }
        return out.toString();
    }

    /** Each id gets the copy's suffix on its extension, or (when it has none, and the root is the value) on its root. */
    private static String rewriteIds(String text, String suffix, int n) {
        Matcher ids = ID.matcher(text);
        StringBuilder out = new StringBuilder(text.length() + 64);
        while (ids.find()) {
            String attributes = ids.group(3);
            Matcher extension = EXTENSION.matcher(attributes);
            Matcher root = ROOT.matcher(attributes);
            String rewritten = attributes;
            if (extension.find()) {
                rewritten = attributes.substring(0, extension.start()) + "extension=\"" + extension.group(1) + suffix + "\""
                        + attributes.substring(extension.end());
            } else if (root.find()) {
                rewritten = attributes.substring(0, root.start()) + "root=\"" + root.group(1) + "." + n + "\"" + attributes.substring(root.end());
            }
            ids.appendReplacement(out, Matcher.quoteReplacement("<" + ids.group(1) + ids.group(2) + rewritten + ids.group(4) + ">"));
        }
        ids.appendTail(out);
        return out.toString();
    }
}
