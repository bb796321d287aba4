package io.github.diffusion4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code precision: auto} on {@code /proc/cpuinfo} fixtures of CPUs with and without native bf16. */
class PrecisionTest {

    /** Two processors of an AVX2-only AMD EPYC (this project's development machine): no bf16 flag. */
    static final String EPYC_AVX2 = """
            processor\t: 0
            vendor_id\t: AuthenticAMD
            model name\t: AMD EPYC
            flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm rep_good nopl cpuid extd_apicid tsc_known_freq pni pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm cmp_legacy avx2 bmi2 sha_ni

            processor\t: 1
            vendor_id\t: AuthenticAMD
            flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge fma avx f16c avx2 bmi2 sha_ni
            """;

    /** A Cascade Lake Xeon: AVX-512 but no bf16 (avx512_bf16 arrived with Cooper Lake). */
    static final String CASCADE_LAKE = "processor : 0\nflags : fpu sse sse2 avx avx2 avx512f avx512dq avx512cd avx512bw avx512vl avx512_vnni\n";

    /** A Sapphire Rapids Xeon: AVX512-BF16 and AMX. */
    static final String SAPPHIRE_RAPIDS = "processor : 0\nflags : fpu avx avx2 avx512f avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8\n"
            + "processor : 1\nflags : fpu avx avx2 avx512f avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8\n";

    /** A Zen 4 EPYC: AVX512-BF16 without AMX. */
    static final String ZEN4 = "processor : 0\nflags : fpu avx2 avx512f avx512_bf16 avx512_vnni\n";

    @Test
    void autoPicksBf16OnlyWithNativeSupport() {
        assertThat(Precision.resolve("auto", EPYC_AVX2).bf16()).isFalse();
        assertThat(Precision.resolve("auto", CASCADE_LAKE).bf16()).isFalse();
        assertThat(Precision.resolve("auto", SAPPHIRE_RAPIDS).bf16()).isTrue();
        assertThat(Precision.resolve("auto", ZEN4).bf16()).isTrue();
        assertThat(Precision.resolve("auto", null).bf16()).isFalse(); // unreadable: fp32
        assertThat(Precision.resolve("auto", "").bf16()).isFalse();
    }

    @Test
    void aFlagOnOnlySomeProcessorsDoesNotCount() {
        String mixed = "processor : 0\nflags : avx2 avx512_bf16\nprocessor : 1\nflags : avx2\n";
        assertThat(Precision.resolve("auto", mixed).bf16()).isFalse();
        assertThat(Precision.resolve("auto", "flags : avx2 xavx512_bf16 avx512_bf16x\n").bf16()).isFalse(); // whole words only
    }

    @Test
    void explicitSettingsWinAndTheReasonSaysWhy() {
        assertThat(Precision.resolve("bf16", EPYC_AVX2).bf16()).isTrue();
        assertThat(Precision.resolve("fp32", SAPPHIRE_RAPIDS).bf16()).isFalse();
        assertThat(Precision.resolve("auto", EPYC_AVX2).reason())
                .isEqualTo("precision: auto -> fp32 (the CPU has no native bf16 (no avx512_bf16 or amx_bf16 flag))");
        assertThat(Precision.resolve("auto", SAPPHIRE_RAPIDS).reason())
                .isEqualTo("precision: auto -> bf16 autocast (the CPU has native bf16 (amx_bf16, avx512_bf16))");
        assertThat(Precision.resolve("bf16", EPYC_AVX2).reason()).contains("emulated and slower than fp32");
        assertThatThrownBy(() -> Precision.resolve("fp16", EPYC_AVX2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theOlderBf16KeyMeansBf16() {
        assertThat(Precision.of(true, "auto").bf16()).isTrue();
        assertThat(Precision.of(true, "auto").setting()).isEqualTo("bf16");
    }
}
