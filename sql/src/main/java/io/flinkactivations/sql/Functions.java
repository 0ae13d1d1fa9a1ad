package io.flinkactivations.sql;

import io.flinkactivations.core.Activation;
import org.apache.flink.annotation.PublicEvolving;

/**
 * One class per activation, named as PyTorch's {@code torch.nn} class, for registering functions
 * one by one where the module is not wanted: {@code CREATE FUNCTION gelu AS
 * 'io.flinkactivations.sql.Functions$GELU'}. Each is the module's function of the same activation
 * ({@link ActivationFunction}); {@link ActivateFunction} is registered the same way: {@code CREATE
 * FUNCTION activate AS 'io.flinkactivations.sql.ActivateFunction'}.
 */
@PublicEvolving
public final class Functions {

    private Functions() {}

    /** {@code CREATE FUNCTION relu AS 'io.flinkactivations.sql.Functions$ReLU'} */
    public static final class ReLU extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public ReLU() {
            super(Activation.RELU);
        }
    }

    /** {@code CREATE FUNCTION relu6 AS 'io.flinkactivations.sql.Functions$ReLU6'} */
    public static final class ReLU6 extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public ReLU6() {
            super(Activation.RELU6);
        }
    }

    /** {@code CREATE FUNCTION leaky_relu AS 'io.flinkactivations.sql.Functions$LeakyReLU'} */
    public static final class LeakyReLU extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public LeakyReLU() {
            super(Activation.LEAKY_RELU);
        }
    }

    /** {@code CREATE FUNCTION elu AS 'io.flinkactivations.sql.Functions$ELU'} */
    public static final class ELU extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public ELU() {
            super(Activation.ELU);
        }
    }

    /** {@code CREATE FUNCTION selu AS 'io.flinkactivations.sql.Functions$SELU'} */
    public static final class SELU extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public SELU() {
            super(Activation.SELU);
        }
    }

    /** {@code CREATE FUNCTION celu AS 'io.flinkactivations.sql.Functions$CELU'} */
    public static final class CELU extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public CELU() {
            super(Activation.CELU);
        }
    }

    /** {@code CREATE FUNCTION gelu AS 'io.flinkactivations.sql.Functions$GELU'} */
    public static final class GELU extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public GELU() {
            super(Activation.GELU);
        }
    }

    /** {@code CREATE FUNCTION sigmoid AS 'io.flinkactivations.sql.Functions$Sigmoid'} */
    public static final class Sigmoid extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public Sigmoid() {
            super(Activation.SIGMOID);
        }
    }

    /** {@code CREATE FUNCTION silu AS 'io.flinkactivations.sql.Functions$SiLU'} */
    public static final class SiLU extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public SiLU() {
            super(Activation.SILU);
        }
    }

    /** {@code CREATE FUNCTION mish AS 'io.flinkactivations.sql.Functions$Mish'} */
    public static final class Mish extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public Mish() {
            super(Activation.MISH);
        }
    }

    /** {@code CREATE FUNCTION softplus AS 'io.flinkactivations.sql.Functions$Softplus'} */
    public static final class Softplus extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public Softplus() {
            super(Activation.SOFTPLUS);
        }
    }

    /** {@code CREATE FUNCTION softsign AS 'io.flinkactivations.sql.Functions$Softsign'} */
    public static final class Softsign extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public Softsign() {
            super(Activation.SOFTSIGN);
        }
    }

    /** {@code CREATE FUNCTION tanh AS 'io.flinkactivations.sql.Functions$Tanh'} */
    public static final class Tanh extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public Tanh() {
            super(Activation.TANH);
        }
    }

    /** {@code CREATE FUNCTION tanhshrink AS 'io.flinkactivations.sql.Functions$Tanhshrink'} */
    public static final class Tanhshrink extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public Tanhshrink() {
            super(Activation.TANHSHRINK);
        }
    }

    /** {@code CREATE FUNCTION hardtanh AS 'io.flinkactivations.sql.Functions$Hardtanh'} */
    public static final class Hardtanh extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public Hardtanh() {
            super(Activation.HARDTANH);
        }
    }

    /** {@code CREATE FUNCTION hardsigmoid AS 'io.flinkactivations.sql.Functions$Hardsigmoid'} */
    public static final class Hardsigmoid extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public Hardsigmoid() {
            super(Activation.HARDSIGMOID);
        }
    }

    /** {@code CREATE FUNCTION hardswish AS 'io.flinkactivations.sql.Functions$Hardswish'} */
    public static final class Hardswish extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public Hardswish() {
            super(Activation.HARDSWISH);
        }
    }

    /** {@code CREATE FUNCTION hardshrink AS 'io.flinkactivations.sql.Functions$Hardshrink'} */
    public static final class Hardshrink extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public Hardshrink() {
            super(Activation.HARDSHRINK);
        }
    }

    /** {@code CREATE FUNCTION softshrink AS 'io.flinkactivations.sql.Functions$Softshrink'} */
    public static final class Softshrink extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public Softshrink() {
            super(Activation.SOFTSHRINK);
        }
    }

    /** {@code CREATE FUNCTION threshold AS 'io.flinkactivations.sql.Functions$Threshold'} */
    public static final class Threshold extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public Threshold() {
            super(Activation.THRESHOLD);
        }
    }

    /** {@code CREATE FUNCTION logsigmoid AS 'io.flinkactivations.sql.Functions$LogSigmoid'} */
    public static final class LogSigmoid extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public LogSigmoid() {
            super(Activation.LOGSIGMOID);
        }
    }

    /** {@code CREATE FUNCTION prelu AS 'io.flinkactivations.sql.Functions$PReLU'} */
    public static final class PReLU extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public PReLU() {
            super(Activation.PRELU);
        }
    }

    /** {@code CREATE FUNCTION rrelu AS 'io.flinkactivations.sql.Functions$RReLU'} */
    public static final class RReLU extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public RReLU() {
            super(Activation.RRELU);
        }
    }

    /** {@code CREATE FUNCTION softmax AS 'io.flinkactivations.sql.Functions$Softmax'} */
    public static final class Softmax extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public Softmax() {
            super(Activation.SOFTMAX);
        }
    }

    /** {@code CREATE FUNCTION log_softmax AS 'io.flinkactivations.sql.Functions$LogSoftmax'} */
    public static final class LogSoftmax extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public LogSoftmax() {
            super(Activation.LOG_SOFTMAX);
        }
    }

    /** {@code CREATE FUNCTION softmin AS 'io.flinkactivations.sql.Functions$Softmin'} */
    public static final class Softmin extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public Softmin() {
            super(Activation.SOFTMIN);
        }
    }

    /** {@code CREATE FUNCTION layer_norm AS 'io.flinkactivations.sql.Functions$LayerNorm'} */
    public static final class LayerNorm extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public LayerNorm() {
            super(Activation.LAYER_NORM);
        }
    }

    /** {@code CREATE FUNCTION normalize AS 'io.flinkactivations.sql.Functions$Normalize'} */
    public static final class Normalize extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public Normalize() {
            super(Activation.NORMALIZE);
        }
    }

    /** {@code CREATE FUNCTION rms_norm AS 'io.flinkactivations.sql.Functions$RMSNorm'} */
    public static final class RMSNorm extends ActivationFunction {
        private static final long serialVersionUID = 1L;

        public RMSNorm() {
            super(Activation.RMS_NORM);
        }
    }
}
