package org.otmicroservices.attendance;

import java.util.List;

/** An error the service answers on purpose; ErrorMapper writes it as {"error":..., "message"|"details":...}. */
final class ApiError extends RuntimeException {
    final int status;
    final String error;
    final List<String> details;

    private ApiError(int status, String error, String message, List<String> details) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.details = details;
    }

    static ApiError of(int status, String error, String message) {
        return new ApiError(status, error, message, null);
    }

    static ApiError validation(List<String> details) {
        return new ApiError(400, "Validation Error", String.join("; ", details), List.copyOf(details));
    }

    /** Any status with a list of details (written like a validation error), e.g. the ids a bulk import conflicts on. */
    static ApiError withDetails(int status, String error, List<String> details) {
        return new ApiError(status, error, String.join("; ", details), List.copyOf(details));
    }

    static ApiError notFound(String message) {
        return of(404, "Not Found", message);
    }
}
