package org.otmicroservices.attendance.model;

import java.util.List;

/**
 * A request the service refuses on purpose, with the status and the body of the wire contract:
 * {"error":..., "message":...} or, with details, {"error":..., "details":[...]} (the HTTP layer writes it).
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String error;
    private final List<String> details;

    private ApiError(int status, String error, String message, List<String> details) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.details = details;
    }

    public static ApiError of(int status, String error, String message) {
        return new ApiError(status, error, message, null);
    }

    public static ApiError validation(List<String> details) {
        return withDetails(400, "Validation Error", details);
    }

    /** Any status with a list of details (written like a validation error), e.g. the ids a bulk import conflicts on. */
    public static ApiError withDetails(int status, String error, List<String> details) {
        return new ApiError(status, error, String.join("; ", details), List.copyOf(details));
    }

    /** The 404 of search, PUT and DELETE for an id without a record. */
    public static ApiError noRecord(String id) {
        return of(404, "Not Found", "No attendance record found for id: " + id);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** null for a plain message. */
    public List<String> details() {
        return details;
    }
}
