package org.ehrarchive.audit;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: the access audit's chain was whole at its last periodic check ({@link AuditChainWatch}). DOWN names the
 * problem (row ids, never patient data): an archive whose record of who read what cannot be trusted must be looked
 * at before it is relied on (docs/reliability.md).
 */
@Readiness
@ApplicationScoped
public class AuditChainHealthCheck implements HealthCheck {

    private final AuditChainWatch watch;

    public AuditChainHealthCheck(AuditChainWatch watch) {
        this.watch = watch;
    }

    @Override
    public HealthCheckResponse call() {
        AuditChainWatch.Status status = watch.status();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("audit-chain").status(status.intact())
                .withData("anchor-file", watch.anchor().file().toString());
        if (status.checkedAt() == null) {
            return response.withData("checked", "not yet").build();
        }
        response.withData("checked-at", status.checkedAt().toString()).withData("rows", status.rows());
        return status.intact() ? response.build() : response.withData("problem", status.problem()).build();
    }
}
