package org.ehrarchive.database;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.lang3.SystemUtils;
import org.tukaani.xz.XZInputStream;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;

/**
 * Unpacks the embedded PostgreSQL binaries where zonky looks for them ({@code <binaries>/PG-<md5 of the archive>}),
 * so that a folder that looks complete is complete (issue 18).
 * <p>
 * zonky's own unpack writes each file asynchronously, only logs a write that fails, and then writes its
 * completion marker ({@code .exists}) anyway: on a full disk it leaves empty executables behind the marker, which
 * every later start runs (an empty file runs as an empty shell script, so initdb "succeeds") and then waits 120 s
 * for a server that never comes. Here the archive is unpacked into a staging folder, every file is written at
 * once (a failed write fails the unpack), the marker is written last and lists every file with its size, and the
 * folder is renamed into place in one step. zonky then finds the marker and unpacks nothing.
 * <p>
 * Each start compares the files with the marker's list (about a thousand stats, milliseconds), so a folder
 * emptied later (by a crash before the files reached the disk, or by hand) is unpacked again too, as is one
 * unpacked by zonky itself (by an older version of the archive), whose marker lists nothing.
 */
final class PostgresBinaries {

    /** zonky's completion marker; it checks only that the marker exists and is newer than the folder's content. */
    private static final String MARKER = ".exists";
    /** First line of a marker written here, after a verified unpack; the lines after it are "size path". */
    private static final String VERIFIED = "# verified unpack: size and path of every file";
    private static final String STAGING_SUFFIX = ".unpacking";

    private PostgresBinaries() {
    }

    /**
     * Makes sure {@code binaries} holds a complete unpack of the PostgreSQL binaries zonky will use, and returns its
     * folder (the one of this version: older versions' folders may be beside it).
     */
    static Path unpackVerified(Path binaries) throws IOException {
        byte[] archive = archive();
        Path target = binaries.resolve("PG-" + md5(archive));
        removeStaleStaging(binaries);
        String problem = whyIncomplete(target);
        if (problem == null) {
            return target;
        }
        if (Files.exists(target)) {
            System.out.println("The embedded PostgreSQL binaries under " + target + " " + problem + "; unpacking them again");
            deleteRecursively(target);
        }
        Path staging = binaries.resolve(target.getFileName() + STAGING_SUFFIX);
        try {
            List<String> manifest = extract(archive, staging);
            // Written last: a marker means that every file before it was written in full.
            List<String> lines = new ArrayList<>(List.of(VERIFIED));
            lines.addAll(manifest);
            Files.write(staging.resolve(MARKER), lines, StandardCharsets.UTF_8);
            String stillMissing = whyIncomplete(staging);
            if (stillMissing != null) {
                throw new IOException("the unpacked PostgreSQL binaries " + stillMissing);
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            // zonky unpacks again over a marker older than the folder's content; the rename may have touched the folder.
            Files.setLastModifiedTime(target.resolve(MARKER), FileTime.from(Instant.now()));
            return target;
        } catch (IOException | RuntimeException e) {
            try {
                deleteRecursively(staging); // nothing half-written is left to look complete, and the space is freed
            } catch (IOException ignored) {
                // a later start removes stale staging folders
            }
            if (DiskSpace.isNoSpaceLeft(e)) {
                throw DiskSpace.noSpaceLeft(binaries, "unpacking the embedded PostgreSQL binaries (about 60 MB)", e);
            }
            throw e;
        }
    }

    /** Why the unpack in {@code folder} is not complete, or null if it is (its marker lists every file, at its size). */
    private static String whyIncomplete(Path folder) throws IOException {
        Path marker = folder.resolve(MARKER);
        if (!Files.isRegularFile(marker)) {
            return "have no completion marker";
        }
        List<String> lines = Files.readAllLines(marker, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(VERIFIED)) {
            return "were unpacked without a check (by an older version of the archive)";
        }
        for (String line : lines.subList(1, lines.size())) {
            int space = line.indexOf(' ');
            long size = Long.parseLong(line.substring(0, space));
            Path file = folder.resolve(line.substring(space + 1));
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) != size) {
                return "are incomplete (an unpack cut short, for example by a full disk, or a file emptied since)";
            }
        }
        return null;
    }

    /** Unpacks the .txz as zonky does (files, folders, symbolic links; bin/ executable), failing on any write. */
    private static List<String> extract(byte[] archive, Path into) throws IOException {
        Files.createDirectories(into);
        List<String> manifest = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
                Path path = into.resolve(name).normalize();
                if (!path.startsWith(into)) {
                    throw new IOException("the PostgreSQL binaries archive names a path outside its folder: " + name);
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                    continue;
                }
                Files.createDirectories(path.getParent());
                if (entry.isSymbolicLink()) {
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else if (entry.isFile()) {
                    Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                    if (Files.size(path) != entry.getSize()) {
                        throw new IOException("unpacked " + name + " with " + Files.size(path) + " of its " + entry.getSize() + " bytes");
                    }
                    manifest.add(entry.getSize() + " " + name);
                    if (name.startsWith("bin/")) {
                        path.toFile().setExecutable(true, false);
                    }
                } else {
                    throw new IOException("the PostgreSQL binaries archive holds an entry of an unknown kind: " + name);
                }
            }
        }
        return manifest;
    }

    /** The archive zonky would unpack, found the same way (its default resolver, its names for system and machine). */
    private static byte[] archive() throws IOException {
        String system = SystemUtils.IS_OS_WINDOWS ? "Windows" : SystemUtils.IS_OS_MAC_OSX ? "Darwin" : "Linux";
        String machine = "amd64".equals(SystemUtils.OS_ARCH) ? "x86_64" : SystemUtils.OS_ARCH;
        try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machine)) {
            return in.readAllBytes();
        }
    }

    private static String md5(byte[] archive) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(archive));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every Java runtime", e);
        }
    }

    /** A staging folder is left only by a process killed while it unpacked. */
    private static void removeStaleStaging(Path binaries) throws IOException {
        if (!Files.isDirectory(binaries)) {
            return;
        }
        try (var children = Files.list(binaries)) {
            for (Path child : children.filter(c -> c.getFileName().toString().endsWith(STAGING_SUFFIX)).toList()) {
                deleteRecursively(child);
            }
        }
    }

    private static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
