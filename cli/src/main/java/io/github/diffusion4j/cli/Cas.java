package io.github.diffusion4j.cli;

import io.github.diffusion4j.data.ImageDataset;
import io.github.diffusion4j.eval.Evaluator;
import io.github.diffusion4j.eval.features.ClassifierTraining;
import io.github.diffusion4j.eval.features.SmallClassifier;

/**
 * Classification accuracy score (Ravuri &amp; Vinyals 2019): the project's v1 classifier, trained
 * from scratch on the generated images with their requested labels (v1 recipe, batch 32, about
 * 1,500 steps), tested on real data.
 * Only for 1×28×28 data (the v1 architecture).
 */
final class Cas {
    private Cas() {}

    static Evaluator.CasScorer scorer(ImageDataset reference) {
        return (generated, real) -> {
            if (generated.channels() != 1 || generated.height() != 28) {
                throw new UserException("cas needs 1x28x28 images (the v1 classifier); got " + generated.channels() + "x"
                        + generated.height() + "x" + generated.width());
            }
            try (SmallClassifier net = new SmallClassifier("cas", SmallClassifier.V1, 1)) {
                // v1's recipe, with batch 32 and enough epochs for about 1,500 optimizer steps whatever the
                // sample count (v1's 5 epochs of batch 128 would be a handful of steps for 300 samples).
                int epochs = Math.max(5, (int) Math.ceil(1500.0 * 32 / generated.size()));
                var recipe = ClassifierTraining.Recipe.v1("mnist").with("seed", "1").with("batch", "32")
                        .with("warmup", "100").with("epochs", Integer.toString(epochs));
                ClassifierTraining.train(net, generated, null, recipe, line -> {}); // no per-epoch test pass
                return ClassifierTraining.accuracy(net, reference);
            }
        };
    }
}
