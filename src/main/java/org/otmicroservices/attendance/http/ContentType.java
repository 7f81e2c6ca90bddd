package org.otmicroservices.attendance.http;

import java.util.Locale;

/** A request's Content-Type header: its media type (lower case, no parameters) and its charset parameter. */
record ContentType(String type, String charset) {
    static ContentType of(String header) {
        if (header == null) {
            return new ContentType("", null);
        }
        String[] parts = header.split(";");
        String charset = null;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length == 2 && kv[0].strip().equalsIgnoreCase("charset")) {
                charset = kv[1].strip().replace("\"", "");
            }
        }
        return new ContentType(parts.length == 0 ? "" : parts[0].strip().toLowerCase(Locale.ROOT), charset);
    }

    /** application/json or any application/*+json, parameters allowed (as Flask 2.3's request.is_json). */
    boolean isJson() {
        return type.equals("application/json")
                || (type.startsWith("application/") && type.endsWith("+json") && type.indexOf('/') == type.lastIndexOf('/'));
    }
}
