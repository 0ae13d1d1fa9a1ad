package io.flinkactivations.stream.internal;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.stream.ActivationResult;
import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Puts the map operator into a stream for any {@link RecordModel}: the public entry points call
 * this.
 */
@Internal
public final class ActivationOperators {
    private ActivationOperators() {}

    /**
     * {@code spec} on each record's features; records that cannot be processed go to the dead
     * letters.
     */
    public static <IN, OUT, BAD> ActivationResult<OUT, BAD> map(
            DataStream<IN> input,
            ActivationSpec spec,
            RecordModel<IN, OUT, BAD> model,
            String uid) {
        spec.checkForMap(); // batch_norm and the scalers need a window
        SingleOutputStreamOperator<OUT> out =
                input.process(new ActivationProcessFunction<>(spec, model), model.outputType())
                        .name("activation " + spec)
                        .uid(uid);
        return new ActivationResult<>(out, out.getSideOutput(model.deadLetterTag()));
    }
}
