package org.ehrarchive.database;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.HealthGroup;

/**
 * Readiness: the embedded PostgreSQL this server owns runs. DOWN from the moment its postmaster is found dead until
 * it has been restarted (ADR 0015); the data says how often that happened and when last, so that an operator sees
 * a database that came back by itself. A process that watches no embedded server (an external PostgreSQL, a server
 * attached to another's) says so and is UP: the datasource's own check tells whether the database answers.
 * <p>
 * Also alone at {@code /q/health/group/database}: readiness as a whole waits for the datasource's check, which
 * waits for a connection while the database is down; this answers at once.
 */
@Readiness
@HealthGroup("database")
@ApplicationScoped
public class EmbeddedDatabaseHealthCheck implements HealthCheck {

    static final String NAME = "embedded-database";

    @Override
    public HealthCheckResponse call() {
        Optional<EmbeddedDatabase.WatchState> watched = EmbeddedDatabase.watchState();
        if (watched.isEmpty()) {
            return HealthCheckResponse.named(NAME).up().withData("watched-by-this-process", false).build();
        }
        EmbeddedDatabase.WatchState state = watched.get();
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).status(state.running())
                .withData("watched-by-this-process", true)
                .withData("port", state.port())
                .withData("restarts", state.restarts())
                .withData("last-restart", state.lastRestart().map(Object::toString).orElse("never"));
        state.downSince().ifPresent(since -> response.withData("down-since", since.toString()));
        return response.build();
    }
}
