package org.ehrarchive.ingest.lines;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.ingest.ImportedDocument;
import org.ehrarchive.ingest.ImportedEntry;
import org.ehrarchive.ingest.ImportedFragment;
import org.ehrarchive.ingest.ImportedPatient;
import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.Importer;
import org.ehrarchive.ingest.IngestError;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.RecordContent;
import org.ehrarchive.ingest.RecordSink;
import org.ehrarchive.ingest.SourceSniff;
import org.ehrarchive.ingest.SourceUnit;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.Identifier;

/**
 * A test-only format, to prove the ingest core's contract for the formats to come (many records per file, units of
 * several files, records the database refuses) before their importers exist; only tests load it. A file starts with
 * {@code #test-lines}; then each line is a record:
 * <ul>
 *   <li>{@code patient <identifier>}: a patient's document; the records after it belong to it;</li>
 *   <li>{@code entry <key|-> <order|-> <text>}: an entry (kind NOTE) with that key ({@code -}: none, the content is
 *       the key), version order and text;</li>
 *   <li>{@code quarantine <text>}: a record the importer could not map;</li>
 *   <li>{@code fail}: the importer gives up on the file here;</li>
 *   <li>{@code crash}: the importer fails as a defect would (an unexpected exception);</li>
 *   <li>{@code exhaust}: the importer asks for more memory than there is.</li>
 * </ul>
 * A file {@code *.unit} starting with {@code #test-lines-unit} names, one per line, the files of its folder read with
 * it as one unit.
 */
@ApplicationScoped
public class LineRecordsImporter implements Importer {

    public static final String FORMAT = "test-lines";
    static final String UNIT = "#test-lines-unit";

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public boolean accepts(SourceSniff sniff) {
        return sniff.headText().startsWith("#test-lines");
    }

    @Override
    public List<List<Path>> units(Path folder, List<Path> files) {
        List<List<Path>> units = new ArrayList<>();
        for (Path file : files) {
            if (file.getFileName().toString().endsWith(".unit")) {
                try {
                    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                    if (!lines.isEmpty() && lines.get(0).equals(UNIT)) {
                        List<Path> unit = new ArrayList<>(List.of(file));
                        lines.subList(1, lines.size()).stream().filter(l -> !l.isBlank()).map(folder::resolve).forEach(unit::add);
                        units.add(unit);
                    }
                } catch (IOException e) {
                    // not a unit: read as a file of its own
                }
            }
        }
        return units;
    }

    @Override
    public void read(SourceUnit unit, RecordSink sink) throws QuarantineException {
        List<SourceUnit.File> files = unit.files();
        boolean manifest = files.size() > 1;
        for (SourceUnit.File file : manifest ? files.subList(1, files.size()) : files) {
            readFile(unit, file, sink, manifest);
        }
    }

    private void readFile(SourceUnit unit, SourceUnit.File file, RecordSink sink, boolean inUnit) throws QuarantineException {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(unit.open(file), StandardCharsets.UTF_8))) {
            String header = in.readLine();
            if (header == null || !header.startsWith("#test-lines")) {
                throw new QuarantineException(IngestError.UNKNOWN_FORMAT, "not a test-lines file");
            }
            ImportedRecord patient = null;
            int number = 1;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                number++;
                String locator = "/line[" + number + "]";
                String[] parts = line.split(" ", 4);
                ImportedRecord record;
                switch (parts[0]) {
                    case "patient" -> {
                        ImportedPatient who = new ImportedPatient(locator, List.of(new Identifier("urn:test-lines", parts[1], null, null)),
                                List.of(), null, null, List.of(), List.of(), null, null, null, List.of(), List.of(), List.of(), null);
                        ImportedDocument document = new ImportedDocument(locator, null, null, null, null, "lines of " + parts[1], null,
                                null, null, List.of(), List.of(), null, null);
                        record = patient = new ImportedRecord("document", "patient:" + parts[1], hash(file.sha256() + line), locator, null,
                                null, new RecordContent.DocumentContent(document, who, List.of(), List.of()));
                    }
                    case "entry" -> {
                        String text = parts.length > 3 ? parts[3] : "";
                        ImportedEntry entry = new ImportedEntry(null, EntryKind.NOTE, null, null, false, null, null, List.of(), List.of(),
                                List.of(), Map.of(), text, locator);
                        record = new ImportedRecord("entry", parts[1].equals("-") ? null : parts[1], hash(text),
                                locator, parts[2].equals("-") ? null : parts[2], patient, new RecordContent.EntriesContent(null, List.of(entry)));
                    }
                    case "quarantine" -> record = new ImportedRecord("entry", null, hash(line), locator, null, patient,
                            new RecordContent.RawContent(null, ImportedFragment.Status.QUARANTINED,
                                    IngestError.ENTRY_UNREADABLE.message("test"), line));
                    case "fail" -> throw new QuarantineException(IngestError.READ_FAILED, "the test file gives up at line " + number);
                    case "crash" -> throw new IllegalStateException("a defect of the importer");
                    case "exhaust" -> {
                        long[] tooMuch = new long[Integer.MAX_VALUE]; // more than any heap: OutOfMemoryError, nothing allocated
                        throw new IllegalStateException("unreachable: " + tooMuch.length);
                    }
                    default -> throw new QuarantineException(IngestError.READ_FAILED, "unknown line at " + number);
                }
                if (inUnit) {
                    sink.record(file, record);
                } else {
                    sink.record(record);
                }
            }
        } catch (IOException e) {
            throw new QuarantineException(IngestError.READ_FAILED, e.getClass().getSimpleName());
        }
    }

    private static String hash(String text) {
        return BlobStore.sha256Of(text.getBytes(StandardCharsets.UTF_8));
    }
}
