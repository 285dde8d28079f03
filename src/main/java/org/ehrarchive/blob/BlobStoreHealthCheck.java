package org.ehrarchive.blob;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness: the blob store of originals can be written. */
@Readiness
@ApplicationScoped
public class BlobStoreHealthCheck implements HealthCheck {

    private final BlobStore blobs;

    public BlobStoreHealthCheck(BlobStore blobs) {
        this.blobs = blobs;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("blob-store").status(blobs.isWritable()).build();
    }
}
