package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlCommandTest {

    @Test
    void splitsAtTheSemicolonsThatEndStatements() {
        List<SqlCommand.Statement> s =
                SqlCommand.statements(
                        """
                -- a comment; not a statement
                CREATE TABLE t (s STRING) WITH ('connector' = 'datagen', 'x' = 'a;b');

                /* a block; comment */ SELECT 'it''s; fine', `a;b` FROM t;
                EXECUTE STATEMENT SET BEGIN
                  INSERT INTO u SELECT * FROM t;
                  INSERT INTO v SELECT * FROM t;
                END;
                SELECT 1""");
        assertThat(s)
                .extracting(SqlCommand.Statement::text)
                .containsExactly(
                        "CREATE TABLE t (s STRING) WITH ('connector' = 'datagen', 'x' = 'a;b')",
                        "SELECT 'it''s; fine', `a;b` FROM t",
                        "EXECUTE STATEMENT SET BEGIN\n  INSERT INTO u SELECT * FROM t;\n  INSERT INTO v SELECT * FROM t;\nEND",
                        "SELECT 1");
        assertThat(s).extracting(SqlCommand.Statement::line).containsExactly(2, 4, 5, 9);
        assertThat(s).extracting(SqlCommand.Statement::number).containsExactly(1, 2, 3, 4);
    }

    @Test
    void aScriptOfCommentsHasNoStatement() {
        assertThat(SqlCommand.statements("-- nothing\n/* at all */ ;\n")).isEmpty();
    }
}
