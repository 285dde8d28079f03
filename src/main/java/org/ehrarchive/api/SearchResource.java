package org.ehrarchive.api;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.ehrarchive.audit.AuditAction;
import org.ehrarchive.search.SearchIndex;
import org.ehrarchive.search.TextHit;
import org.ehrarchive.security.Roles;

/** Full-text search over narratives, notes and entry names, with highlighted snippets (HTML, already escaped). */
@Path("/api/search")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Roles.CLINICIAN, Roles.COMPLIANCE })
public class SearchResource {

    private static final int MAX_RESULTS = 50;

    private final SearchIndex index;
    private final AuditedReads audit;

    public SearchResource(SearchIndex index, AuditedReads audit) {
        this.index = index;
        this.audit = audit;
    }

    @GET
    public List<TextHit> search(@QueryParam("q") String words) {
        if (words == null || words.isBlank()) {
            throw new Problems.ProblemException(400, "empty-query", "Give the words to search for in q");
        }
        List<TextHit> hits = index.searchText(words, MAX_RESULTS);
        audit.record(AuditAction.SEARCH_TEXT, "text-search", null, hits.stream().map(TextHit::patientId).distinct().toList(), words);
        return hits;
    }
}
