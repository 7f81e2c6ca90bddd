package org.otmicroservices.attendance.cache;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The result of a cache lookup: on a hit, the stored response (its Link header, if any, and its body); on a miss,
 * the generation to store the response under (-1: do not store).
 *
 * One entry format for every response, read and written only here: [generation: 8 bytes][link length: 4][link,
 * UTF-8][body]. A hit's body is written straight from the entry Redis returned, so a cached 1 MB search/all is not
 * copied again.
 */
public final class Lookup {
    private static final int HEADER = Long.BYTES + Integer.BYTES;
    static final Lookup UNAVAILABLE = new Lookup(null, -1);

    private final byte[] entry; // null on a miss
    private final long generation;
    private String etag; // computed on first use: a kept copy answers many requests

    private Lookup(byte[] entry, long generation) {
        this.entry = entry;
        this.generation = generation;
    }

    static Lookup miss(long generation) {
        return new Lookup(null, generation);
    }

    /** A hit if the entry is well formed and stored under the given (current) generation, else a miss. */
    static Lookup of(byte[] entry, long generation) {
        boolean current = entry != null && entry.length >= HEADER && ByteBuffer.wrap(entry).getLong() == generation;
        return current ? new Lookup(entry, generation) : miss(generation);
    }

    static byte[] entry(long generation, String link, byte[] body) {
        byte[] linkBytes = link == null ? new byte[0] : link.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(HEADER + linkBytes.length + body.length)
                .putLong(generation).putInt(linkBytes.length).put(linkBytes).put(body).array();
    }

    public boolean hit() {
        return entry != null;
    }

    /** The generation a miss is to be stored under; -1 when it must not be stored (the cache is off or failing). */
    public long generation() {
        return generation;
    }

    /** The Link header stored with the response, or null. */
    public String link() {
        int length = linkLength();
        return length == 0 ? null : new String(entry, HEADER, length, StandardCharsets.UTF_8);
    }

    public int bodyLength() {
        return entry.length - HEADER - linkLength();
    }

    public void writeBody(OutputStream out) throws IOException {
        out.write(entry, HEADER + linkLength(), bodyLength());
    }

    /** The strong entity tag of this hit's body (see tag). */
    public String etag() {
        if (etag == null) {
            etag = tag(generation, entry, HEADER + linkLength(), bodyLength());
        }
        return etag;
    }

    /**
     * A strong entity tag for a body stored, or to be stored, under a generation: the generation, the length and
     * a CRC-32C of the bytes. Two different bodies of one URL share it only if stored under the same generation
     * with the same length and checksum; CRC-32C runs at memory speed, so a cached 1 MB answer costs no
     * noticeable time to tag.
     */
    public static String tag(long generation, byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return "\"" + Long.toHexString(generation) + "-" + Integer.toHexString(length) + "-" + Long.toHexString(crc.getValue()) + "\"";
    }

    int size() {
        return entry.length;
    }

    private int linkLength() {
        return ByteBuffer.wrap(entry, Long.BYTES, Integer.BYTES).getInt();
    }
}
