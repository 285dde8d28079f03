package org.ehrarchive.portal;

import java.io.IOException;
import java.net.URI;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.ehrarchive.api.AuditedReads;
import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.chart.ClinicalDates.Shown;
import org.ehrarchive.decommission.Certificates;
import org.ehrarchive.ingest.SourceSystems;
import org.ehrarchive.ingest.SourceSystems.SourceSystem;
import org.ehrarchive.security.Roles;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The decommission certificates of a source system, for admins (issue 13): the certificates issued, each file to
 * download byte-exact from the blob store with its {@code Digest}, and a form (with its CSRF token) to issue a new
 * one. Issuing and each download are audited; the list itself shows hashes and dates only.
 */
@Path("/sources/{id}/certificates")
@RolesAllowed(Roles.ADMIN)
public class CertificatePage {

    /** A certificate as the list shows it, with when it was generated in the site's zone. */
    public record Row(Certificates.Issued issued, Shown generated) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance certificates(PortalContext.Nav nav, SourceSystem system, List<Row> certificates);
    }

    private final Certificates certificates;
    private final SourceSystems sourceSystems;
    private final AuditedReads audit;
    private final PortalContext portal;
    private final SecurityIdentity identity;
    private final ClinicalDates dates;

    public CertificatePage(Certificates certificates, SourceSystems sourceSystems, AuditedReads audit, PortalContext portal,
            SecurityIdentity identity, ClinicalDates dates) {
        this.dates = dates;
        this.certificates = certificates;
        this.sourceSystems = sourceSystems;
        this.audit = audit;
        this.portal = portal;
        this.identity = identity;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance list(@PathParam("id") long id) throws SQLException {
        SourceSystem system = system(id);
        return Templates.certificates(portal.nav(), system,
                certificates.list(system.id()).stream().map(c -> new Row(c, dates.instant(c.generatedAt()))).toList());
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response issue(@PathParam("id") long id) throws SQLException, IOException {
        SourceSystem system = system(id);
        certificates.issue(system, identity.getPrincipal().getName(), this::record, Certificates.Progress.NONE);
        return Response.seeOther(URI.create("/sources/" + system.id() + "/certificates")).build();
    }

    @GET
    @Path("{cid}/certificate.json")
    @Produces(MediaType.APPLICATION_JSON)
    public Response json(@PathParam("id") long id, @PathParam("cid") long certificateId) throws SQLException, IOException {
        return download(id, certificateId, "json");
    }

    @GET
    @Path("{cid}/certificate.pdf")
    @Produces("application/pdf")
    public Response pdf(@PathParam("id") long id, @PathParam("cid") long certificateId) throws SQLException, IOException {
        return download(id, certificateId, "pdf");
    }

    private Response download(long id, long certificateId, String kind) throws SQLException, IOException {
        SourceSystem system = system(id);
        if (certificates.byId(certificateId).filter(c -> c.sourceSystemId() == system.id()).isEmpty()) {
            throw new NotFoundException();
        }
        Certificates.Opened opened = certificates.open(certificateId, kind, this::record).orElseThrow(NotFoundException::new);
        return Response.ok(opened.content(), opened.mediaType())
                .header("Content-Disposition", "attachment; filename=\"certificate-" + certificateId + "." + kind + "\"")
                .header("Content-Length", opened.size())
                .header("Digest", "sha-256=" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(opened.sha256())))
                .build();
    }

    private void record(org.ehrarchive.audit.AuditAction action, String objectType, String objectId, String detail) {
        audit.record(action, objectType, objectId, List.of(), detail);
    }

    private SourceSystem system(long id) throws SQLException {
        return sourceSystems.byId(id).orElseThrow(NotFoundException::new);
    }
}
