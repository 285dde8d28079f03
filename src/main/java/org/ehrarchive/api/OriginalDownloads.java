package org.ehrarchive.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.record.ClinicalDocument;
import org.ehrarchive.record.SourceFile;

import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Serves a document's original file, byte-exact from the blob store, for the API and the portal alike: the
 * download is audited, carries a {@code Digest} header, and is named without the original file name (which can
 * carry a patient's name).
 */
@ApplicationScoped
public class OriginalDownloads {

    private final BlobStore blobs;

    public OriginalDownloads(BlobStore blobs) {
        this.blobs = blobs;
    }

    public Response download(long documentId, AuditedReads audit) throws IOException {
        ClinicalDocument document = QuarkusTransaction.requiringNew().call(() -> ClinicalDocument.<ClinicalDocument>findById(documentId));
        if (document == null) {
            throw new NotFoundException();
        }
        SourceFile source = QuarkusTransaction.requiringNew().call(() -> SourceFile.<SourceFile>findById(document.sourceFileId));
        InputStream original = blobs.open(document.sourceSha256).orElseThrow(() -> new Problems.ProblemException(500,
                "original-missing", "The original of this document is missing from the blob store; run a fixity check"));
        try {
            audit.record(AuditAction.DOWNLOAD_ORIGINAL, "document", Long.toString(documentId), List.of(document.patientId),
                    document.sourceSha256);
        } catch (RuntimeException refused) {
            // a restricted original is not sent: the stream opened for it is closed
            original.close();
            throw refused;
        }
        return Response.ok(original, "ccda".equals(document.format) ? "application/xml" : MediaType.APPLICATION_OCTET_STREAM)
                .header("Content-Disposition", "attachment; filename=\"document-" + documentId + extensionOf(source) + "\"")
                .header("Digest", "sha-256=" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(document.sourceSha256)))
                .build();
    }

    /** Only the extension of the original name. */
    private static String extensionOf(SourceFile source) {
        String name = source == null ? "" : source.originalName;
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot).replaceAll("[^A-Za-z0-9.]", "");
    }
}
