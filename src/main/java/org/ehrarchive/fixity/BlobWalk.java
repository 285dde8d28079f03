package org.ehrarchive.fixity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The blob store's files in the order of their names, one folder at a time: {@code sha256/ab/cd/abcd...} sorted
 * level by level is sorted by hash, so it can be merged with the recorded hashes read in the same order, and no more
 * than one folder's listing is ever held. A file whose name is not a hash, or that sits in the wrong folder, is
 * yielded with {@code sha256} null: it is not where a recorded original could be.
 */
final class BlobWalk implements Iterator<BlobWalk.Found> {

    /** A file of the blob store; {@code sha256} is its name when that is a hash in the right folder. */
    record Found(String sha256, Path path) {
    }

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern TWO_HEX = Pattern.compile("[0-9a-f]{2}");

    /** Folders and files still to visit, in order; a folder is replaced by its sorted listing when reached. */
    private final Deque<Path> pending = new ArrayDeque<>();
    private final Path root;
    private Found next;

    BlobWalk(Path root) {
        this.root = root;
        if (Files.isDirectory(root)) {
            pending.addAll(sortedListing(root));
        }
    }

    @Override
    public boolean hasNext() {
        while (next == null && !pending.isEmpty()) {
            Path path = pending.pollFirst();
            if (Files.isDirectory(path)) {
                List<Path> children = sortedListing(path);
                for (int i = children.size() - 1; i >= 0; i--) {
                    pending.addFirst(children.get(i));
                }
            } else {
                next = new Found(isInItsPlace(path) ? path.getFileName().toString() : null, path);
            }
        }
        return next != null;
    }

    @Override
    public Found next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Found found = next;
        next = null;
        return found;
    }

    private boolean isInItsPlace(Path file) {
        Path relative = root.relativize(file);
        if (relative.getNameCount() != 3) {
            return false;
        }
        String name = relative.getName(2).toString();
        return SHA256_HEX.matcher(name).matches() && TWO_HEX.matcher(relative.getName(0).toString()).matches()
                && name.startsWith(relative.getName(0).toString() + relative.getName(1));
    }

    private static List<Path> sortedListing(Path folder) {
        try (Stream<Path> children = Files.list(folder)) {
            return children.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
