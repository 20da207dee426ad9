import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Foundation: the pgcrypto extension (when the server ships it) and
 * `app_meta`, a small key/value table for installation-wide facts.
 */
export class Init1700000000000 implements MigrationInterface {
  name = 'Init1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const available = (await queryRunner.query(
      `select 1 from pg_available_extensions where name = 'pgcrypto'`,
    )) as unknown[];
    if (available.length > 0) {
      await queryRunner.query(`create extension if not exists pgcrypto`);
    }
    await queryRunner.query(`
      create table app_meta (
        key text primary key,
        value jsonb not null,
        updated_at timestamptz not null default now()
      )
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`drop table if exists app_meta`);
    await queryRunner.query(`drop extension if exists pgcrypto`);
  }
}
