package io.github.diffusion4j.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Parses and validates the JSON header of a safetensors file (https://github.com/huggingface/safetensors). */
final class SafetensorsHeader {

    static final String METADATA_KEY = "__metadata__";

    private static final List<String> FIELDS = List.of("dtype", "shape", "data_offsets");
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    final Map<String, String> metadata;
    /** Sorted by {@code begin}, then {@code end}; header order among equal ranges. */
    final List<TensorEntry> tensors;

    private final Path file;

    /**
     * @param json the header text
     * @param dataLength bytes in the data buffer, which the tensors must cover exactly
     */
    SafetensorsHeader(Path file, String json, long dataLength) throws SafetensorsFormatException {
        this.file = file;
        JsonNode root = readTree(json);
        Map<String, String> meta = new LinkedHashMap<>();
        List<TensorEntry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> property : root.properties()) {
            if (property.getKey().equals(METADATA_KEY)) {
                readMetadata(property.getValue(), meta);
            } else {
                entries.add(readEntry(property.getKey(), property.getValue(), dataLength));
            }
        }
        entries.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
        checkLayout(entries, dataLength);
        this.metadata = Collections.unmodifiableMap(meta);
        this.tensors = List.copyOf(entries);
    }

    private JsonNode readTree(String json) throws SafetensorsFormatException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw fail("header is not valid JSON: " + e.getOriginalMessage());
        }
        if (!root.isObject()) {
            String found = root.isMissingNode() ? "nothing" : root.getNodeType().name().toLowerCase(Locale.ROOT);
            throw fail("header is not a JSON object (found " + found + ")");
        }
        return root;
    }

    private void readMetadata(JsonNode node, Map<String, String> meta) throws SafetensorsFormatException {
        if (!node.isObject()) {
            throw fail(METADATA_KEY + " must be a JSON object of strings");
        }
        for (Map.Entry<String, JsonNode> property : node.properties()) {
            if (!property.getValue().isString()) {
                throw fail(METADATA_KEY + " value for '" + property.getKey() + "' must be a string");
            }
            meta.put(property.getKey(), property.getValue().stringValue());
        }
    }

    private TensorEntry readEntry(String name, JsonNode node, long dataLength) throws SafetensorsFormatException {
        String tensor = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw fail(tensor + " is not a JSON object");
        }
        for (String field : FIELDS) {
            if (!node.has(field)) {
                throw fail(tensor + " is missing field '" + field + "'");
            }
        }
        for (String field : node.propertyNames()) {
            if (!FIELDS.contains(field)) {
                throw fail(tensor + " has unexpected field '" + field + "'");
            }
        }
        DType dtype = readDType(tensor, node.get("dtype"));
        long[] shape = longs(node.get("shape"));
        if (shape == null) {
            throw fail(tensor + " shape must be an array of 64-bit integers");
        }
        if (Arrays.stream(shape).anyMatch(dim -> dim < 0)) {
            throw fail(tensor + " shape " + Arrays.toString(shape) + " has a negative dimension");
        }
        long needed;
        try {
            needed = dtype.byteSize(shape);
        } catch (ArithmeticException e) {
            throw fail(tensor + " shape " + Arrays.toString(shape) + " is too large: its byte size overflows");
        }
        long[] offsets = longs(node.get("data_offsets"));
        if (offsets == null || offsets.length != 2 || offsets[0] < 0 || offsets[1] < 0) {
            throw fail(tensor + " data_offsets must be two non-negative integers");
        }
        String range = tensor + " data_offsets " + Arrays.toString(offsets);
        if (offsets[0] > offsets[1]) {
            throw fail(range + " have begin > end");
        }
        long length = offsets[1] - offsets[0];
        if (length != needed) {
            throw fail(range + " give " + length + " bytes but " + dtype + " " + Arrays.toString(shape)
                    + " needs " + needed);
        }
        if (offsets[1] > dataLength) {
            throw fail(range + " run past the end of the " + dataLength + "-byte data buffer");
        }
        return new TensorEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private DType readDType(String tensor, JsonNode node) throws SafetensorsFormatException {
        if (!node.isString()) {
            throw fail(tensor + " dtype must be a string");
        }
        try {
            return DType.parse(node.stringValue());
        } catch (IllegalArgumentException e) {
            throw fail(tensor + " has " + e.getMessage());
        }
    }

    /** The array's elements as longs, or null if it is not an array of integers that fit in a long. */
    private static long[] longs(JsonNode node) {
        if (!node.isArray()) {
            return null;
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode element = node.get(i);
            if (!element.isIntegralNumber() || !element.canConvertToLong()) {
                return null;
            }
            values[i] = element.longValue();
        }
        return values;
    }

    /** Rejects overlapping tensors and data bytes that no tensor covers; {@code sorted} is in offset order. */
    private void checkLayout(List<TensorEntry> sorted, long dataLength) throws SafetensorsFormatException {
        long covered = 0;
        TensorEntry previous = null;
        for (TensorEntry entry : sorted) {
            if (previous != null && entry.begin() < previous.end()) {
                throw fail("tensors '" + previous.name() + "' [" + previous.begin() + ", " + previous.end()
                        + "] and '" + entry.name() + "' [" + entry.begin() + ", " + entry.end() + "] overlap");
            }
            covered += entry.byteLength();
            previous = entry;
        }
        if (covered != dataLength) {
            throw fail("data buffer has " + (dataLength - covered) + " bytes not covered by any tensor");
        }
    }

    private SafetensorsFormatException fail(String problem) {
        return new SafetensorsFormatException(file, problem);
    }
}
