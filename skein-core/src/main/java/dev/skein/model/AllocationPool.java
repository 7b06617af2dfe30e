package dev.skein.model;

public record AllocationPool(String start, String end) {}
