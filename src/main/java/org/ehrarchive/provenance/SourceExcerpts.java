package org.ehrarchive.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.ingest.ccda.HardenedXml;
import org.ehrarchive.ingest.ccda.XmlLocator;

/**
 * The part of an original that a source record's (or a normalized row's) locator names, as text: what a reviewer reads
 * beside what the archive shows, to see that nothing was changed or lost on the way ("original beside normalized").
 * Each format's locators are the ones its importer writes:
 * <ul>
 *   <li>{@code ccda}: an absolute XPath ({@link XmlLocator}), such as
 *       {@code /ClinicalDocument/component/structuredBody/component[3]/section/entry[2]/act}: that element and everything
 *       in it. The document itself ({@code /ClinicalDocument}) is its header: its body is left out, its sections and
 *       entries being records of their own;</li>
 *   <li>{@code hl7v2}: {@code /message[N]}, {@code /message[N]@OFFSET}, {@code /message[N]/OBX[2]} and deeper (see
 *       {@link Hl7v2Excerpts});</li>
 *   <li>{@code fhir}: NDJSON lines, JSON pointers into bundles, XML bundle entries (see {@link FhirExcerpts});</li>
 *   <li>{@code csv}: the line a table row starts on, {@code /line[N]}: the row's lines (see {@link CsvExcerpts}).</li>
 * </ul>
 * The original is streamed from the blob store (originals can be gigabytes) and read no further than the fragment's end;
 * the excerpt holds at most {@link #MAX_CHARACTERS} characters, and is marked truncated when the fragment is longer.
 * What the importer could not read in its format (a quarantined message or line) is shown as the text it is.
 */
@ApplicationScoped
public class SourceExcerpts {

    /** The most an excerpt holds (256 KiB of ASCII): more than any entry or message, little enough for one page. */
    static final int MAX_CHARACTERS = 256 * 1024;

    /**
     * A fragment of an original. {@code syntax} is how to read the text: {@code xml}, {@code hl7v2} (one segment a line),
     * {@code json} (pretty-printed) or {@code text} (as it is in the original, which could not be read in its format);
     * {@code note} says which part of the text the locator means, or why the text is what it is; it may be null.
     */
    public record Excerpt(String text, String syntax, boolean truncated, String note) {
    }

    /** Where an original's bytes come from; opened again from the start whenever it must be read again. */
    interface Original {
        InputStream open() throws IOException;
    }

    private final BlobStore blobs;

    public SourceExcerpts(BlobStore blobs) {
        this.blobs = blobs;
    }

    /**
     * The fragment {@code locator} names in the original with this SHA-256, read as {@code format} (its
     * {@code source_file.format}); empty when the blob store does not hold the original, or the locator names nothing
     * in it. Throws IOException when the original cannot be read as its format up to the fragment.
     */
    public Optional<Excerpt> excerpt(String sha256, String format, String locator) throws IOException {
        if (!blobs.contains(sha256)) {
            return Optional.empty();
        }
        return excerpt(() -> blobs.open(sha256).orElseThrow(() -> new NoSuchFileException("blob " + sha256)), format, locator);
    }

    /** The same for any original (tests read fixtures with it). */
    static Optional<Excerpt> excerpt(Original original, String format, String locator) throws IOException {
        return switch (format) {
            case "ccda" -> ccda(original, locator);
            case "hl7v2" -> Hl7v2Excerpts.excerpt(original, locator);
            case "fhir" -> FhirExcerpts.excerpt(original, locator);
            case "csv" -> CsvExcerpts.excerpt(original, locator);
            default -> throw new IllegalArgumentException("no excerpts of originals of format " + format);
        };
    }

    private static Optional<Excerpt> ccda(Original original, String locator) throws IOException {
        Optional<List<XmlLocator.Step>> path = XmlLocator.steps(locator, HardenedXml.CDA_NS);
        if (path.isEmpty()) {
            return Optional.empty();
        }
        boolean document = path.get().size() == 1;
        return XmlExcerpts.excerpt(original, path.get(), HardenedXml.CDA_NS, document,
                document ? "the document's header: its body is shown section by section" : null);
    }
}
