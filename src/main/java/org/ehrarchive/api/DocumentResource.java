package org.ehrarchive.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.record.ClinicalDocument;
import org.ehrarchive.record.SourceFile;
import org.ehrarchive.security.Roles;

import io.quarkus.narayana.jta.QuarkusTransaction;

/** Documents: the whole normalized document, and its original file byte-exact. Both are audited reads. */
@Path("/api/documents")
@RolesAllowed({ Roles.CLINICIAN, Roles.COMPLIANCE })
public class DocumentResource {

    private final ChartService charts;
    private final BlobStore blobs;
    private final AuditedReads audit;

    public DocumentResource(ChartService charts, BlobStore blobs, AuditedReads audit) {
        this.charts = charts;
        this.blobs = blobs;
        this.audit = audit;
    }

    /** Header, sections (narratives are source markup: sanitize before display), entries, files, raw fragments. */
    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public ChartService.DocumentView document(@PathParam("id") long id) {
        ChartService.DocumentView document = charts.document(id).orElseThrow(NotFoundException::new);
        audit.record(AuditAction.VIEW_DOCUMENT, "document", Long.toString(id), List.of(document.patientId()), null);
        return document;
    }

    /** The original source file, byte-exact, as it was ingested. */
    @GET
    @Path("/{id}/original")
    public Response original(@PathParam("id") long id) throws IOException {
        ClinicalDocument document = QuarkusTransaction.requiringNew().call(() -> ClinicalDocument.<ClinicalDocument>findById(id));
        if (document == null) {
            throw new NotFoundException();
        }
        SourceFile source = QuarkusTransaction.requiringNew().call(() -> SourceFile.<SourceFile>findById(document.sourceFileId));
        InputStream original = blobs.open(document.sourceSha256).orElseThrow(() -> new Problems.ProblemException(500,
                "original-missing", "The original of this document is missing from the blob store; run a fixity check"));
        audit.record(AuditAction.DOWNLOAD_ORIGINAL, "document", Long.toString(id), List.of(document.patientId), document.sourceSha256);
        return Response.ok(original, "ccda".equals(document.format) ? "application/xml" : MediaType.APPLICATION_OCTET_STREAM)
                .header("Content-Disposition", "attachment; filename=\"document-" + id + originalExtension(source) + "\"")
                .header("Digest", "sha-256=" + java.util.Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(document.sourceSha256)))
                .build();
    }

    /** Only the extension of the original name: the name itself can carry a patient's name. */
    private static String originalExtension(SourceFile source) {
        String name = source == null ? "" : source.originalName;
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot).replaceAll("[^A-Za-z0-9.]", "");
    }
}
