import type { Actor } from '../../workflows/kernel/types';

/** An acting appointment as read with an answer: the member state answered for, and whom the actor replaces. */
export interface ActingAppointmentRow {
  member_state: string;
  for_user_id: string;
}

/** Whether an acting appointment can change who `actor` acts as: only an approver of a member state has one. */
export function mayActFor(actor: Actor): actor is Actor & { memberState: string } {
  return actor.role === 'approver' && !!actor.memberState;
}

/**
 * The rule of acting appointments as one SQL expression (a json object, or null): the appointment
 * that covers the approver `actorParam` of the member state `stateParam` at the moment `atParam`
 * (started, not ended, not revoked; the latest when several overlap). Only appointments of the
 * actor's own member state count, so a later change of the user's state voids them. Read on its
 * own by AuthService.resolveActing and, for an answer, in the engine's lock statement.
 */
export function actingAppointmentSql(actorParam: string, stateParam: string, atParam: string): string {
  return `(SELECT json_build_object('member_state', a.member_state, 'for_user_id', a.for_user_id)
      FROM acting_appointment a
     WHERE a.acting_user_id = ${actorParam} AND a.member_state = ${stateParam} AND a.revoked_at IS NULL
       AND a.valid_from <= ${atParam} AND a.valid_to > ${atParam}
     ORDER BY a.valid_from DESC, a.created_at DESC LIMIT 1)`;
}

/**
 * The actor as they answer: covered by `appointment`, an approver answers for its member state with
 * `actingFor` = the approver they replace; otherwise as themselves.
 */
export function actingAs(actor: Actor, appointment: ActingAppointmentRow | null | undefined): Actor {
  if (!appointment || !mayActFor(actor)) return { ...actor, actingFor: null };
  return { ...actor, memberState: appointment.member_state, actingFor: appointment.for_user_id };
}
