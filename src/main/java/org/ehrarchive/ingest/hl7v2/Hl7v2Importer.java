package org.ehrarchive.ingest.hl7v2;

import java.io.IOException;
import java.io.InputStream;

import jakarta.enterprise.context.ApplicationScoped;

import org.ehrarchive.ingest.ContentHash;
import org.ehrarchive.ingest.ImportedFragment;
import org.ehrarchive.ingest.ImportedRecord;
import org.ehrarchive.ingest.Importer;
import org.ehrarchive.ingest.IngestError;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.RecordContent;
import org.ehrarchive.ingest.RecordSink;
import org.ehrarchive.ingest.RecordTypes;
import org.ehrarchive.ingest.SourceSniff;
import org.ehrarchive.ingest.SourceUnit;

/**
 * HL7 v2 message archives (docs/formats/hl7v2.md, ADR 0013): any number of messages per file, in any framing real
 * interface engines write. The unit of the reconciliation is the message: each is one record of its message type
 * ({@code ADT^A08}), archived, a duplicate (the same message text again, in this file or another), or quarantined with
 * a reason; its facts are parts that version on their own. A message that cannot be read is quarantined alone and
 * the rest of the file goes on.
 */
@ApplicationScoped
public class Hl7v2Importer implements Importer {

    /** The largest message mapped in one piece; a larger one is counted and quarantined (ING-203), the file goes on. */
    static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    @Override
    public String format() {
        return "hl7v2";
    }

    /** By content, whatever the name: the file starts (after a byte order mark, MLLP framing or white space) with MSH or a batch header. */
    @Override
    public boolean accepts(SourceSniff sniff) {
        String head = sniff.headText();
        while (!head.isEmpty() && head.charAt(0) == 0x0B) {
            head = head.substring(1).stripLeading();
        }
        if (head.length() < 4) {
            return false;
        }
        String segment = head.substring(0, 3);
        char separator = head.charAt(3);
        boolean punctuation = !Character.isLetterOrDigit(separator) && !Character.isWhitespace(separator);
        return punctuation && (segment.equals("MSH") || segment.equals("FHS") || segment.equals("BHS"));
    }

    @Override
    public void read(SourceUnit unit, RecordSink sink) throws QuarantineException {
        SourceUnit.File file = unit.files().get(0);
        MessageMapper mapper = new MessageMapper(unit);
        int messages = 0;
        try (InputStream in = unit.open(file)) {
            MessageReader reader = new MessageReader(in, MAX_MESSAGE_BYTES);
            for (MessageReader.Message message = reader.next(); message != null; message = reader.next()) {
                messages++;
                hand(file, message, mapper, sink);
            }
            if (messages == 0) {
                throw new QuarantineException(IngestError.NO_MESSAGES, null);
            }
            reader.fileWarnings().forEach(sink::warning);
        } catch (IOException e) {
            throw new QuarantineException(IngestError.READ_FAILED, e.getClass().getSimpleName());
        }
    }

    private static void hand(SourceUnit.File file, MessageReader.Message message, MessageMapper mapper, RecordSink sink) {
        String locator = "/message[" + (message.index() + 1) + "]";
        if (message.problem() != null) {
            // Nothing of it is kept but its place: its bytes are in the original, at this locator.
            String hash = ContentHash.sha256(file.sha256() + "\u0001" + message.offset());
            sink.record(new ImportedRecord(RecordTypes.UNREADABLE_MESSAGE, null, hash, locator + "@" + message.offset(), null, null,
                    new RecordContent.RawContent(null, ImportedFragment.Status.QUARANTINED,
                            (message.tooLarge() ? IngestError.RECORD_TOO_LARGE : IngestError.MESSAGE_UNREADABLE)
                                    .message(message.problem()), "")));
            return;
        }
        MessageMapper.Mapped mapped;
        try {
            mapped = mapper.map(message);
        } catch (MessageMapper.Unmappable e) {
            sink.record(new ImportedRecord(RecordTypes.UNREADABLE_MESSAGE, null, ContentHash.sha256(message.text()), locator, null, null,
                    new RecordContent.RawContent(null, ImportedFragment.Status.QUARANTINED, IngestError.MESSAGE_UNREADABLE.message(e.getMessage()),
                            message.text())));
            return;
        }
        if (mapped.patient() == null) {
            // No PID, no patient to file it under (master files, acknowledgements, queries): kept whole as its text.
            sink.record(new ImportedRecord(mapped.type(), null, mapped.contentHash(), locator, mapped.orderKey(), null,
                    new RecordContent.RawContent(null, ImportedFragment.Status.KEPT, "no PID segment: the message names no patient",
                            message.text())));
            return;
        }
        ImportedRecord record = new ImportedRecord(mapped.type(), null, mapped.contentHash(), locator, mapped.orderKey(), null,
                new RecordContent.DocumentContent(mapped.document(), mapped.patient(), java.util.List.of(), mapped.warnings()));
        sink.record(record);
        for (MessageMapper.Part part : mapped.parts()) {
            sink.record(new ImportedRecord(part.type(), part.key(), part.contentHash(), part.locator(), mapped.orderKey(), record,
                    part.content()));
        }
        sink.section(record, mapped.section());
    }
}
