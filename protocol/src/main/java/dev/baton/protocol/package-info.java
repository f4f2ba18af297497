/**
 * The contract between a Baton master and its worker processes, defined once for both sides.
 *
 * <p>A master spawns each worker with: its listening socket on fd 0 (inetd style, so that {@code
 * System.inheritedChannel()} adopts it without native code), a pipe it writes {@link
 * dev.baton.protocol.Command commands} into on fd 3, a pipe it reads {@link
 * dev.baton.protocol.Report reports} from on fd 4 (see {@link dev.baton.protocol.WorkerFds}), and
 * the {@link dev.baton.protocol.WorkerEnvironment BATON_* variables}. Messages are one UTF-8 line
 * each.
 */
package dev.baton.protocol;
