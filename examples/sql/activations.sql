-- The activations in Flink SQL: bin/activations sql examples/sql/activations.sql
-- (in Flink's SQL client: add the flink-activations-sql jar and LOAD MODULE activations first).
CREATE TEMPORARY VIEW readings (id, features) AS VALUES
    ('a', ARRAY[CAST(1 AS FLOAT), -2, 3, -5]),
    ('b', ARRAY[CAST(0.5 AS FLOAT), NULL, 2, 0]);

SELECT id,
       RELU(features)                                    AS relu,
       LEAKY_RELU(features, 0.2)                         AS leaky_relu,
       GELU(features, 'tanh')                            AS gelu_tanh,
       SOFTMAX(features)                                 AS softmax,
       ACTIVATE(features, 'softmax(temperature=2)')      AS softmax_t2
FROM readings;
