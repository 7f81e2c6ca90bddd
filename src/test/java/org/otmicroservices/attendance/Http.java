package org.otmicroservices.attendance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.otmicroservices.attendance.http.SpecCheck;

/**
 * The tests' one HTTP client, HTTP/1.1 as the service's clients speak it: for the in-process app, the jar and nginx.
 * Every answer is held against the service's OpenAPI document (SpecCheck).
 */
final class Http {
    /** For a request that sets no time-out of its own: a hung service then fails its test instead of hanging it. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {}

    static HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    /** Any method; body and contentType may be null (no body, no Content-Type header). */
    static HttpRequest.Builder request(String method, String url, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return b;
    }

    /** A failure to connect or to read the answer is an UncheckedIOException, its cause the client's exception. */
    static HttpResponse<String> send(HttpRequest.Builder request) {
        return send(request, HttpResponse.BodyHandlers.ofString());
    }

    static <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
        try {
            HttpResponse<T> response = CLIENT.send(withTimeout(request), body);
            SpecCheck.check(response);
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest.Builder request) {
        return CLIENT.sendAsync(withTimeout(request), HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            SpecCheck.check(response);
            return response;
        });
    }

    private static HttpRequest withTimeout(HttpRequest.Builder builder) {
        HttpRequest request = builder.build();
        return request.timeout().isPresent() ? request
                : HttpRequest.newBuilder(request, (name, value) -> true).timeout(TIMEOUT).build();
    }
}
