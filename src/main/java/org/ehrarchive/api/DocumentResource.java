package org.ehrarchive.api;

import java.io.IOException;
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
import org.ehrarchive.record.ChartService;
import org.ehrarchive.security.Roles;


/** Documents: the whole normalized document, and its original file byte-exact. Both are audited reads. */
@Path("/api/documents")
@RolesAllowed({ Roles.CLINICIAN, Roles.COMPLIANCE })
public class DocumentResource {

    private final ChartService charts;
    private final OriginalDownloads originals;
    private final AuditedReads audit;

    public DocumentResource(ChartService charts, OriginalDownloads originals, AuditedReads audit) {
        this.charts = charts;
        this.originals = originals;
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
        return originals.download(id, audit);
    }
}
