package org.otmicroservices.attendance.model;

import java.time.LocalDate;

/** One row of the records table; date may be null in rows written by other tools. */
public record AttendanceRecord(String id, String name, String status, LocalDate date) {}
