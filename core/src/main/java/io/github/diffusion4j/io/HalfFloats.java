package io.github.diffusion4j.io;

/**
 * Conversions between {@code float} and the 16-bit F16 (IEEE 754 binary16) and BF16 (bfloat16) dtypes of
 * safetensors (https://github.com/huggingface/safetensors), rounding to nearest, ties to even.
 */
public final class HalfFloats {

    private HalfFloats() {
    }

    /** Decodes F16 bits exactly; NaN payloads and signed zeros are kept. */
    public static float halfToFloat(short half) {
        int sign = (half & 0x8000) << 16;
        int exponent = (half >>> 10) & 0x1f;
        int mantissa = half & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = Math.scalb((float) mantissa, -24);
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** Encodes to F16: overflow gives infinity, tiny values give (signed) zero or subnormals, NaN stays NaN. */
    public static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs > 0x7f800000) {
            return (short) (sign | 0x7e00 | (abs >>> 13) & 0x3ff);
        }
        if (abs >= 0x477ff000) {
            return (short) (sign | 0x7c00);
        }
        if (abs >= 0x38800000) {
            return (short) (sign | roundShift(abs - (112 << 23), 13));
        }
        int exponent = abs >>> 23;
        if (exponent < 102) {
            return (short) sign;
        }
        return (short) (sign | roundShift((abs & 0x7fffff) | 0x800000, 126 - exponent));
    }

    /** Decodes BF16 bits exactly. */
    public static float bfloat16ToFloat(short bfloat16) {
        return Float.intBitsToFloat(bfloat16 << 16);
    }

    /** Encodes to BF16, the top 16 bits of the float rounded; NaN stays NaN. */
    public static short floatToBFloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) roundShift(bits, 16);
    }

    /** {@code value >>> shift} rounded to nearest, ties to even; a carry may run into the exponent, as wanted. */
    private static int roundShift(int value, int shift) {
        int kept = value >>> shift;
        int rest = value & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        return rest > half || (rest == half && (kept & 1) != 0) ? kept + 1 : kept;
    }
}
