package org.otmicroservices.attendance.model;

import java.util.List;

/** An error the service answers on purpose; ErrorMapper writes it as {"error":..., "message"|"details":...}. */
public final class ApiError extends RuntimeException {
    public final int status;
    public final String error;
    public final List<String> details;

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
        return new ApiError(400, "Validation Error", String.join("; ", details), List.copyOf(details));
    }

    /** Any status with a list of details (written like a validation error), e.g. the ids a bulk import conflicts on. */
    public static ApiError withDetails(int status, String error, List<String> details) {
        return new ApiError(status, error, String.join("; ", details), List.copyOf(details));
    }

    public static ApiError notFound(String message) {
        return of(404, "Not Found", message);
    }
}
