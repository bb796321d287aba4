package io.github.diffusion4j.io;

import static io.github.diffusion4j.io.HalfFloats.bfloat16ToFloat;
import static io.github.diffusion4j.io.HalfFloats.floatToBFloat16;
import static io.github.diffusion4j.io.HalfFloats.floatToHalf;
import static io.github.diffusion4j.io.HalfFloats.halfToFloat;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class HalfFloatsTest {

    private static final float SMALLEST_SUBNORMAL = 0x1p-24f;

    @ParameterizedTest(name = "{0} -> F16 {1}")
    @CsvSource({
        "1.0, 0x3C00",
        "-2.0, 0xC000",
        "0.5, 0x3800",
        "0.1, 0x2E66",                 // 0.1 rounds to 0x2E66 (0.0999755859375)
        "0.0, 0x0000",
        "-0.0, 0x8000",
        "65504.0, 0x7BFF",             // largest finite half
        "65519.0, 0x7BFF",             // just under the halfway point to 65536
        "65520.0, 0x7C00",             // halfway between 65504 (odd) and 65536: ties to even, i.e. infinity
        "1e6, 0x7C00",
        "-1e6, 0xFC00",
        "0x1p-14, 0x0400",             // smallest normal
        "0x1.ff8p-15, 0x03FF",         // largest subnormal, 1023 * 2^-24
        "0x1p-24, 0x0001",             // smallest subnormal
        "0x1p-25, 0x0000",             // halfway between 0 and the smallest subnormal: ties to even, i.e. 0
        "0x1.000002p-25, 0x0001",      // just above that halfway point
        "0x1.8p-24, 0x0002",           // 1.5 * 2^-24: halfway between 1 (odd) and 2 units: 2
        "0x1.4p-24, 0x0001",           // 1.25 units rounds down
        "0x1.002p0, 0x3C00",           // 1 + 2^-11: halfway between 0x3C00 (even) and 0x3C01
        "0x1.006p0, 0x3C02",           // 1 + 3 * 2^-11: halfway between 0x3C01 (odd) and 0x3C02
        "0x1.0020001p0, 0x3C00",       // below float precision above the tie: the float is exactly the tie
        "0x1.0021p0, 0x3C01",          // just above the tie
        "0x1.ffep-15, 0x0400",         // rounds up from the largest subnormal into the smallest normal
        "1e-10, 0x0000",
        "Infinity, 0x7C00",
        "-Infinity, 0xFC00",
    })
    void encodesHalf(float value, String bits) {
        assertThat(Integer.toHexString(floatToHalf(value) & 0xffff))
                .isEqualTo(Integer.toHexString(Integer.decode(bits)));
    }

    @ParameterizedTest(name = "F16 {0} -> {1}")
    @CsvSource({
        "0x3C00, 1.0",
        "0xC000, -2.0",
        "0x7BFF, 65504.0",
        "0x0001, 0x1p-24",
        "0x03FF, 0x1.ff8p-15",
        "0x0400, 0x1p-14",
        "0x3555, 0x1.554p-2",
        "0x7C00, Infinity",
        "0xFC00, -Infinity",
    })
    void decodesHalf(String bits, float value) {
        assertThat(halfToFloat((short) (int) Integer.decode(bits))).isEqualTo(value);
    }

    @Test
    void halfSignedZeroAndNaN() {
        assertThat(Float.floatToRawIntBits(halfToFloat((short) 0x8000))).isEqualTo(0x80000000);
        assertThat(halfToFloat((short) 0x7E00)).isNaN();
        assertThat(halfToFloat((short) 0xFC01)).isNaN();
        short nan = floatToHalf(Float.NaN);
        assertThat(nan & 0x7C00).isEqualTo(0x7C00);
        assertThat(nan & 0x03FF).isNotZero();
        // a NaN whose payload lives only in the low bits must not become infinity
        assertThat(halfToFloat(floatToHalf(Float.intBitsToFloat(0x7F800001)))).isNaN();
        assertThat(halfToFloat(floatToHalf(Float.intBitsToFloat(0xFF800001)))).isNaN();
        assertThat(SMALLEST_SUBNORMAL).isEqualTo(halfToFloat((short) 1));
    }

    @Test
    void everyHalfSurvivesARoundTripThroughFloat() {
        for (int bits = 0; bits <= 0xFFFF; bits++) {
            float value = halfToFloat((short) bits);
            if (Float.isNaN(value)) {
                assertThat(floatToHalf(value)).isEqualTo((short) (bits | 0x0200));
            } else {
                assertThat(floatToHalf(value) & 0xFFFF).as("bits 0x%04X", bits).isEqualTo(bits);
            }
        }
    }

    @Test
    void halfRoundingMatchesDoubleArithmeticOnMidpoints() {
        // between each pair of neighbouring positive finite halves, the midpoint ties to the even one
        for (int bits = 0; bits < 0x7BFF; bits++) {
            double low = halfToFloat((short) bits);
            double high = halfToFloat((short) (bits + 1));
            float mid = (float) ((low + high) / 2);
            int expected = (bits & 1) == 0 ? bits : bits + 1;
            assertThat(floatToHalf(mid) & 0xFFFF).as("midpoint above 0x%04X", bits).isEqualTo(expected);
            assertThat(floatToHalf(Math.nextDown(mid)) & 0xFFFF).isEqualTo(bits);
            assertThat(floatToHalf(Math.nextUp(mid)) & 0xFFFF).isEqualTo(bits + 1);
        }
    }

    @ParameterizedTest(name = "{0} -> BF16 {1}")
    @CsvSource({
        "1.0, 0x3F80",
        "-2.0, 0xC000",
        "3.14159265, 0x4049",        // 0x40490FDB: low half below the tie
        "0x1.01p0, 0x3F80",          // 0x3F808000: tie, kept part even
        "0x1.03p0, 0x3F82",          // 0x3F818000: tie, kept part odd, rounds up
        "0x1.0101p0, 0x3F81",        // 0x3F808080: just above the tie
        "3.4028235e38, 0x7F80",      // Float.MAX_VALUE rounds to infinity
        "Infinity, 0x7F80",
        "-Infinity, 0xFF80",
        "-0.0, 0x8000",
        "0x1p-133, 0x0001",          // float subnormals keep their top bits
    })
    void encodesBFloat16(float value, String bits) {
        assertThat(Integer.toHexString(floatToBFloat16(value) & 0xffff))
                .isEqualTo(Integer.toHexString(Integer.decode(bits)));
    }

    @Test
    void bfloat16DecodesAndKeepsNaN() {
        assertThat(bfloat16ToFloat((short) 0x3F80)).isEqualTo(1.0f);
        assertThat(bfloat16ToFloat((short) 0xC049)).isEqualTo(-3.140625f);
        assertThat(bfloat16ToFloat((short) 0x7F80)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(bfloat16ToFloat((short) 0x7FC0)).isNaN();
        assertThat(floatToBFloat16(Float.NaN) & 0xFFFF).isEqualTo(0x7FC0);
        assertThat(bfloat16ToFloat(floatToBFloat16(Float.intBitsToFloat(0x7F800001)))).isNaN();
        assertThat(bfloat16ToFloat(floatToBFloat16(Float.intBitsToFloat(0xFFFFFFFF)))).isNaN();
        for (int bits = 0; bits <= 0xFFFF; bits++) {
            float value = bfloat16ToFloat((short) bits);
            if (!Float.isNaN(value)) {
                assertThat(floatToBFloat16(value) & 0xFFFF).as("bits 0x%04X", bits).isEqualTo(bits);
            }
        }
    }
}
