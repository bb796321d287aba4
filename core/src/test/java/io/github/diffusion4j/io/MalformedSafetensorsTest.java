package io.github.diffusion4j.io;

import static io.github.diffusion4j.io.HandBytes.f32;
import static io.github.diffusion4j.io.HandBytes.file;
import static io.github.diffusion4j.io.HandBytes.withLength;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each case is a hand-built file that the reader must reject, saying what is wrong. */
class MalformedSafetensorsTest {

    @TempDir
    Path dir;

    /** A header with one tensor {@code w} whose entry body is {@code body}. */
    private static String w(String body) {
        return "{\"w\":{" + body + "}}";
    }

    private static final String W_OK = "\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]";

    static Stream<Arguments> malformed() {
        byte[] goodHeader = w(W_OK).getBytes(StandardCharsets.UTF_8);
        byte[] goodFile = file(w(W_OK), f32(1, 2, 3, 4));
        return Stream.of(
                arguments("empty file", new byte[0], "file is 0 bytes, shorter than the 8-byte header length"),
                arguments("5-byte file", new byte[5], "file is 5 bytes, shorter than"),
                arguments("header length 0", withLength(0, new byte[16]), "header length is 0"),
                arguments("header length past the end", withLength(100, goodHeader),
                        "header length 100 runs past the end of the file (" + (8 + goodHeader.length) + " bytes)"),
                arguments("huge header length 2^62", withLength(1L << 62, goodHeader),
                        "header length 4611686018427387904 exceeds the 100000000-byte limit"),
                arguments("header length with the top bit set", withLength(-1, goodHeader),
                        "header length 18446744073709551615 exceeds"),
                arguments("header length just over the limit", withLength(100_000_001, goodHeader),
                        "exceeds the 100000000-byte limit"),
                arguments("invalid UTF-8", withLength(6, new byte[] {'{', '"', (byte) 0xC3, '"', ':', '}'}),
                        "header is not valid UTF-8 (bad byte at header offset 2)"),
                arguments("truncated JSON", file("{\"w\":", 0), "header is not valid JSON"),
                arguments("trailing JSON", file("{} []", 0), "header is not valid JSON"),
                arguments("JSON array", file("[1, 2]", 0), "header is not a JSON object (found array)"),
                arguments("blank header", file("        ", 0), "header is not a JSON object (found nothing)"),
                arguments("duplicate key", file("{\"w\":{" + W_OK + "},\"w\":{" + W_OK + "}}", 16),
                        "Duplicate Object property \"w\""),
                arguments("duplicate field", file(w(W_OK + ",\"dtype\":\"F32\""), 16), "Duplicate"),
                arguments("entry not an object", file("{\"w\":[1]}", 0), "tensor 'w' is not a JSON object"),
                arguments("missing dtype", file(w("\"shape\":[4],\"data_offsets\":[0,16]"), 16),
                        "tensor 'w' is missing field 'dtype'"),
                arguments("missing data_offsets", file(w("\"dtype\":\"F32\",\"shape\":[4]"), 16),
                        "tensor 'w' is missing field 'data_offsets'"),
                arguments("extra field", file(w(W_OK + ",\"stride\":[1]"), 16),
                        "tensor 'w' has unexpected field 'stride'"),
                arguments("dtype not a string", file(w("\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]"), 4),
                        "tensor 'w' dtype must be a string"),
                arguments("unknown dtype", file(w("\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]"), 1),
                        "tensor 'w' has unknown dtype 'F8_E4M3'"),
                arguments("shape not an array", file(w("\"dtype\":\"F32\",\"shape\":4,\"data_offsets\":[0,16]"), 16),
                        "tensor 'w' shape must be an array of 64-bit integers"),
                arguments("shape of strings", file(w("\"dtype\":\"F32\",\"shape\":[\"4\"],\"data_offsets\":[0,16]"), 16),
                        "tensor 'w' shape must be an array of 64-bit integers"),
                arguments("fractional dim", file(w("\"dtype\":\"F32\",\"shape\":[4.5],\"data_offsets\":[0,16]"), 16),
                        "tensor 'w' shape must be an array of 64-bit integers"),
                arguments("dim beyond 64 bits", file(w("\"dtype\":\"U8\",\"shape\":[99999999999999999999],"
                        + "\"data_offsets\":[0,1]"), 1), "tensor 'w' shape must be an array of 64-bit integers"),
                arguments("negative dim", file(w("\"dtype\":\"F32\",\"shape\":[2,-2],\"data_offsets\":[0,16]"), 16),
                        "tensor 'w' shape [2, -2] has a negative dimension"),
                arguments("huge shape", file(w("\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                        + "\"data_offsets\":[0,16]"), 16), "shape [4294967296, 4294967296] is too large: its byte size overflows"),
                arguments("huge shape overflowing only with the dtype size", file(w("\"dtype\":\"F64\","
                        + "\"shape\":[2305843009213693952],\"data_offsets\":[0,16]"), 16), "byte size overflows"),
                arguments("data_offsets a string", file(w("\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":\"0-16\""), 16),
                        "tensor 'w' data_offsets must be two non-negative integers"),
                arguments("three data_offsets", file(w("\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8,16]"), 16),
                        "tensor 'w' data_offsets must be two non-negative integers"),
                arguments("negative offset", file(w("\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[-16,0]"), 16),
                        "tensor 'w' data_offsets must be two non-negative integers"),
                arguments("begin > end", file(w("\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,0]"), 16),
                        "tensor 'w' data_offsets [16, 0] have begin > end"),
                arguments("wrong byte count", file(w("\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]"), 12),
                        "tensor 'w' data_offsets [0, 12] give 12 bytes but F32 [2, 2] needs 16"),
                arguments("truncated data", Arrays.copyOf(goodFile, goodFile.length - 5),
                        "tensor 'w' data_offsets [0, 16] run past the end of the 11-byte data buffer"),
                arguments("out-of-range offsets", file(w("\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[64,80]"), 16),
                        "tensor 'w' data_offsets [64, 80] run past the end of the 16-byte data buffer"),
                arguments("overlapping tensors", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16),
                        "tensors 'a' [0, 16] and 'b' [8, 16] overlap"),
                arguments("empty tensor inside another", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],"
                        + "\"data_offsets\":[0,16]},\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}", 16),
                        "tensors 'a' [0, 16] and 'z' [4, 4] overlap"),
                arguments("gap between tensors", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12),
                        "data buffer has 4 bytes not covered by any tensor"),
                arguments("trailing bytes", file(w(W_OK), 19), "data buffer has 3 bytes not covered by any tensor"),
                arguments("data without tensors", file("{}", 8), "data buffer has 8 bytes not covered by any tensor"),
                arguments("metadata not an object", file("{\"__metadata__\":[\"a\"]}", 0),
                        "__metadata__ must be a JSON object of strings"),
                arguments("metadata value not a string", file("{\"__metadata__\":{\"epochs\":3}}", 0),
                        "__metadata__ value for 'epochs' must be a string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejected(String description, byte[] content, String phrase) throws IOException {
        Path path = dir.resolve("bad.safetensors");
        Files.write(path, content);
        assertThatThrownBy(() -> SafetensorsFile.open(path).close())
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageStartingWith("bad.safetensors: ")
                .hasMessageContaining(phrase);
    }
}
