package org.otmicroservices.attendance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.otmicroservices.attendance.http.SpecCheck;

/**
 * HTTP/1.1 over a plain socket, for requests java.net.http will not send: chunked bodies without a length, bytes
 * that are not valid in a URI, oversized request lines. The body is written on its own thread, so a server that
 * answers (413) before reading it all does not block the test; the answer is read until the server closes, and
 * held against the service's OpenAPI document (SpecCheck).
 */
final class RawHttp {
    /** statusLine: the first line as sent, reason phrase included. */
    record Response(String statusLine, int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
        }
    }

    private RawHttp() {}

    /** head: the request line and headers, without the blank line; "Connection: close" is added. */
    static Response send(int port, byte[] head, BodyWriter body) throws IOException {
        return send(null, port, head, body);
    }

    /** As send(port, head, body), from a given local address (a loopback one other than 127.0.0.1), or any if null. */
    static Response send(InetAddress from, int port, byte[] head, BodyWriter body) throws IOException {
        try (Socket socket = new Socket()) {
            if (from != null) {
                socket.bind(new InetSocketAddress(from, 0));
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head);
            out.write("\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread writer = new Thread(() -> {
                try {
                    body.write(out);
                    out.flush();
                } catch (IOException e) {
                    // the server stopped reading (it answered early and closed): expected for an over-limit body
                }
            }, "raw-http-body");
            writer.setDaemon(true);
            writer.start();
            Response response = read(socket.getInputStream());
            String[] requestLine = new String(head, StandardCharsets.ISO_8859_1).split("\r\n", 2)[0].split(" ");
            if (requestLine.length == 3) {
                SpecCheck.check(requestLine[0], requestLine[1], response.status(),
                        response.headers().get("content-type"), response.body());
            }
            return response;
        }
    }

    static Response send(int port, String head) throws IOException {
        return send(port, head.getBytes(StandardCharsets.UTF_8), out -> { });
    }

    interface BodyWriter {
        void write(OutputStream out) throws IOException;
    }

    private static Response read(InputStream in) throws IOException {
        byte[] all = in.readAllBytes();
        int split = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        if (split < 0) {
            throw new IOException("no complete response head: " + new String(all, StandardCharsets.ISO_8859_1));
        }
        String[] lines = new String(all, 0, split, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        byte[] body = java.util.Arrays.copyOfRange(all, split + 4, all.length);
        if (headers.getOrDefault("transfer-encoding", "").equalsIgnoreCase("chunked")) {
            body = dechunk(body);
        }
        return new Response(lines[0], status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        while (pos < chunked.length) {
            int lineEnd = indexOf(chunked, "\r\n".getBytes(StandardCharsets.US_ASCII), pos);
            int size = Integer.parseInt(new String(chunked, pos, lineEnd - pos, StandardCharsets.US_ASCII).split(";")[0].strip(), 16);
            if (size == 0) {
                break;
            }
            out.write(chunked, lineEnd + 2, size);
            pos = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        return indexOf(haystack, needle, 0);
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
