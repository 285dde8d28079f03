package org.ehrarchive.release;

import java.util.Optional;

/**
 * The files a request keeps, by the name they are downloaded under: {@code packet.pdf} and {@code copy.json} (the
 * release's), {@code extension-letter.pdf} (the extension's notice), {@code authorization} (the document as received).
 */
public final class ReleaseFiles {

    /** A file: its bytes' hash in the blob store, its media type, the name it is saved as. */
    public record File(String sha256, String mediaType, String fileName) {
    }

    private ReleaseFiles() {
    }

    public static Optional<File> of(ReleaseRequest request, String name) {
        String prefix = "request-" + request.id() + "-";
        return switch (name) {
            case "packet.pdf" -> request.event("RELEASED").map(e -> new File(e.packetSha256(), "application/pdf", prefix + "release-packet.pdf"));
            case "copy.json" -> request.event("RELEASED").filter(e -> e.copySha256() != null)
                    .map(e -> new File(e.copySha256(), "application/fhir+json", prefix + "machine-readable-copy.json"));
            case "extension-letter.pdf" -> request.event("EXTENDED").filter(e -> e.letterSha256() != null)
                    .map(e -> new File(e.letterSha256(), "application/pdf", prefix + "extension-notice.pdf"));
            case "authorization" -> Optional.ofNullable(request.authorizationSha256()).map(sha -> new File(sha,
                    request.authorizationType() == null || request.authorizationType().isBlank() ? "application/octet-stream" : request.authorizationType(),
                    prefix + "authorization" + extension(request.authorizationName())));
            default -> Optional.empty();
        };
    }

    /** Only the extension of the name it came with, and only letters and digits in it. */
    private static String extension(String name) {
        if (name == null || name.lastIndexOf('.') < 0) {
            return "";
        }
        String extension = name.substring(name.lastIndexOf('.')).replaceAll("[^A-Za-z0-9.]", "");
        return extension.length() > 10 ? "" : extension;
    }
}
