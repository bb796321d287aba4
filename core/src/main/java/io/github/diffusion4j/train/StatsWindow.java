package io.github.diffusion4j.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Running means of the applied steps' loss, gradient norm and named loss terms between two stats.jsonl rows. */
final class StatsWindow {
    private double loss;
    private double norm;
    private final Map<String, Double> terms = new TreeMap<>();
    private int count;
    private long images;
    private long startNanos = System.nanoTime();

    /** Counts a step's images (applied or not) for the rate. */
    void images(int n) {
        images += n;
    }

    /** Adds an applied step. */
    void add(Trainer.StepResult r) {
        loss += r.loss();
        norm += r.gradNorm();
        r.terms().forEach((k, v) -> terms.merge(k, v, Double::sum));
        count++;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Images per second since the window started. */
    double rate() {
        return images / Math.max((System.nanoTime() - startNanos) / 1e9, 1e-9);
    }

    /** The window's means: loss, gradNorm, then {@code loss.<term>} for each named term. */
    Map<String, Object> means() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("loss", loss / count);
        row.put("gradNorm", norm / count);
        terms.forEach((k, v) -> row.put("loss." + k, v / count));
        return row;
    }

    void reset() {
        loss = 0;
        norm = 0;
        terms.clear();
        count = 0;
        images = 0;
        startNanos = System.nanoTime();
    }
}
