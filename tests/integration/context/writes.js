// Writes through node-postgres exactly as Bemi's ORM packages do: each write carries the context
// as a trailing /*Bemi {...} Bemi*/ comment (the format of @bemi-db/prisma's contextToSqlComment).
// With SET_CONTEXT=1 it also uses pgtrail.set_context() for an application without an ORM package.
const { Client } = require('pg');

const comment = (context) => `/*Bemi ${JSON.stringify(context)} Bemi*/`;

async function main() {
  const client = new Client();  // PGHOST, PGPORT, PGUSER, PGDATABASE from the environment
  await client.connect();
  try {
    // Mixed contexts per statement in one transaction, a multi-row UPDATE, a statement without context.
    await client.query('BEGIN');
    await client.query(`INSERT INTO items (id, name) VALUES (1, 'a'), (2, 'b') ${comment({ user_id: 1, endpoint: '/api/items' })}`);
    await client.query(`UPDATE items SET name = name || '!' ${comment({ user_id: 2, endpoint: '/api/rename' })}`);
    await client.query(`INSERT INTO items (id, name) VALUES (3, 'c')`);
    await client.query(`UPDATE items SET name = 'ü' WHERE id = 3 ${comment({ user: 'Zoë "quoted" \'s', emoji: '☃' })}`);
    await client.query('COMMIT');

    // No context at all.
    await client.query('DELETE FROM items WHERE id = 2');

    if (process.env.SET_CONTEXT === '1') {
      // set_context() applies to the following statements of its transaction, and no further.
      await client.query('BEGIN');
      await client.query(`SELECT pgtrail.set_context('{"job": "import", "batch": 7}')`);
      await client.query(`INSERT INTO items (id, name) VALUES (10, 'x'), (11, 'y')`);
      await client.query(`UPDATE items SET name = 'z' WHERE id = 10`);
      await client.query(`DELETE FROM items WHERE id = 11 ${comment({ user_id: 3 })}`);
      await client.query(`UPDATE items SET name = 'w' WHERE id = 10`);
      await client.query('COMMIT');
      await client.query(`INSERT INTO items (id, name) VALUES (12, 'after')`);
    }

    await client.query(`TRUNCATE others ${comment({ job: 'cleanup' })}`);
  } finally {
    await client.end();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
