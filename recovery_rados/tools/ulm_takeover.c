/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ulm-takeover: run on the node that just took over the service address
 * of a dead node (the Pacemaker resource agent calls it once the address
 * is up here). In order:
 *
 *  0. wait until the dead node's liveness lease lapsed (it stopped
 *     granting by then), or refuse;
 *  1. fence the dead node: blocklist the RADOS client of its lock store,
 *     so that nothing it still has in flight lands from now on;
 *  2. begin the recovery of every record it made (epochs up to its last):
 *     every node now answers conflicts with them "grace", and this node
 *     ends the recovery (purges what was not reclaimed) early or after
 *     the grace period;
 *  3. start a grace period for it in Ganesha's grace database, if it is a
 *     member (RecoveryBackend = rados_cluster);
 *  4. record the address as served here, for the dead node's clients
 *     (ulmctl grace);
 *  5. send SM_NOTIFY, from the taken address, to the NLM clients that held
 *     locks through it: they reclaim here.
 *
 * With --node equal to --by (the node restarted and serves its own
 * address again; its Ganesha began its recovery itself) only steps 4 and
 * 5 run:
 * stock Ganesha notifies no NLM client when it restarts. So too when the
 * address was released by its last node (a planned move, below): that
 * node lives on and forgot the clients, nothing is to be recovered.
 *
 * --left, on the node the address just left (the agent's stop): this
 * node's Ganesha forgets the address's NLM clients (an NLM SM_NOTIFY over
 * the loopback for each, as if they had rebooted; UNIFIED keeps their
 * records, which they reclaim on the address's next node), then the
 * address is recorded as released. Only if the local Ganesha answers: a
 * node whose Ganesha died releases nothing, and the next node takes it
 * over.
 *
 * --stopped, once this node's Ganesha ended (the ganesha agent's stop):
 * clear its NEED in the grace database. Ganesha 4.3's rados_cluster sets
 * it at every clean shutdown (recovery_rados_cluster.c:371-379), and no
 * node of the cluster would leave Ganesha's grace until this one came
 * back. UNIFIED's records keep protecting its clients' locks meanwhile; its
 * next start asks for grace itself.
 *
 * One line per step on stdout. Exit 0 if all went well, 1 if the recovery
 * could not begin (nothing is protected: do not let clients in), 2 if it
 * began but fencing, the grace database, the address's record or a
 * notification failed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sm_notify.h"
#include "ulm.h"
#include "ulmrec.h"

#define DEFAULT_GRACE_SECS 90
#define DEFAULT_FENCE_SECS 3600
#define DEFAULT_WAIT_SECS  30
#define DEFAULT_POOL	   "nfs-ganesha"
#define DEFAULT_NAMESPACE  "ulm"
#define DEFAULT_GRACE_OID  "grace"
#define EXIT_NOT_PROTECTED 1
#define EXIT_PARTLY	   2

struct options {
	struct ulmrec_config rados;
	uint32_t dead;
	uint32_t self;
	const char *ip;
	const char *grace_nodeid;
	uint32_t grace_secs;
	uint32_t fence_secs;
	uint32_t wait_secs;
	bool no_fence;
	bool fence_only;
	bool status_only;
	bool left;
	bool stopped;
	bool have_dead, have_self;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ulm-takeover --node DEAD_ID --by MY_ID --ip ADDRESS\n"
		"       [--grace SECONDS] [--grace-nodeid NAME] "
		"[--fence-secs SECONDS] [--no-fence]\n"
		"       [--wait SECONDS]   (for the dead node's liveness "
		"lease to lapse; default %d)\n"
		"       [--ceph-conf FILE] [--userid NAME] [--keyring FILE]\n"
		"       [--pool POOL] [--namespace NS]   (UNIFIED's lock "
		"store; defaults %s, %s)\n"
		"       [--grace-pool POOL] [--grace-namespace NS] "
		"[--grace-oid OID]   (RADOS_KV's)\n"
		"       ulm-takeover --node ID --fence-only|--status "
		"[--fence-secs S] [RADOS options]\n"
		"       ulm-takeover --node ID --ip ADDRESS --left [RADOS "
		"options]\n"
		"       ulm-takeover --grace-nodeid NAME --stopped [--wait "
		"SECONDS] [RADOS options]\n"
		"DEAD_ID, MY_ID: UNIFIED Node_Id of the dead node and of this "
		"one (equal: this\n"
		"node restarted; only SM_NOTIFY is sent). ADDRESS: the "
		"service address now here\n"
		"(SM_NOTIFY goes out of it). --grace-nodeid: the dead node's "
		"RADOS_KV nodeid\n"
		"(no grace database change without it).\n"
		"--fence-only: blocklist node ID's RADOS clients, nothing "
		"else (a fence agent's\n"
		"off). --status: print whether node ID holds its liveness "
		"lease (\"live\": it\n"
		"may grant) or not (\"not live\").\n"
		"--left: ADDRESS (node ID's clients) just left this node: "
		"the local Ganesha\n"
		"forgets its NLM clients, their records stay for the next "
		"node.\n"
		"--stopped: NAME's Ganesha just stopped: clear the grace "
		"it asked for at its\n"
		"shutdown (its records keep protecting its clients' locks)."
		"\n",
		DEFAULT_WAIT_SECS, DEFAULT_POOL, DEFAULT_NAMESPACE);
}

static bool parse_u32(const char *arg, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Where each option's value goes: text, a number, or a switch. */
struct option_target {
	const char **text;
	uint32_t *number;
	bool *flag;
};

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"node", required_argument, NULL, 0},
		{"by", required_argument, NULL, 0},
		{"ip", required_argument, NULL, 0},
		{"grace", required_argument, NULL, 0},
		{"grace-nodeid", required_argument, NULL, 0},
		{"fence-secs", required_argument, NULL, 0},
		{"wait", required_argument, NULL, 0},
		{"no-fence", no_argument, NULL, 0},
		{"fence-only", no_argument, NULL, 0},
		{"status", no_argument, NULL, 0},
		{"left", no_argument, NULL, 0},
		{"stopped", no_argument, NULL, 0},
		{"ceph-conf", required_argument, NULL, 0},
		{"userid", required_argument, NULL, 0},
		{"keyring", required_argument, NULL, 0},
		{"pool", required_argument, NULL, 0},
		{"namespace", required_argument, NULL, 0},
		{"grace-pool", required_argument, NULL, 0},
		{"grace-namespace", required_argument, NULL, 0},
		{"grace-oid", required_argument, NULL, 0},
		{NULL, 0, NULL, 0},
	};
	const struct option_target targets[] = {
		{NULL, &o->dead, &o->have_dead},
		{NULL, &o->self, &o->have_self},
		{&o->ip, NULL, NULL},
		{NULL, &o->grace_secs, NULL},
		{&o->grace_nodeid, NULL, NULL},
		{NULL, &o->fence_secs, NULL},
		{NULL, &o->wait_secs, NULL},
		{NULL, NULL, &o->no_fence},
		{NULL, NULL, &o->fence_only},
		{NULL, NULL, &o->status_only},
		{NULL, NULL, &o->left},
		{NULL, NULL, &o->stopped},
		{&o->rados.ceph_conf, NULL, NULL},
		{&o->rados.userid, NULL, NULL},
		{&o->rados.keyring, NULL, NULL},
		{&o->rados.pool, NULL, NULL},
		{&o->rados.rados_namespace, NULL, NULL},
		{&o->rados.grace_pool, NULL, NULL},
		{&o->rados.grace_namespace, NULL, NULL},
		{&o->rados.grace_oid, NULL, NULL},
	};
	int i;

	while (getopt_long(argc, argv, "", longopts, &i) == 0) {
		const struct option_target *t = &targets[i];

		if (t->number && !parse_u32(optarg, t->number))
			return -1;
		if (t->text)
			*t->text = optarg;
		if (t->flag)
			*t->flag = true;
	}
	/* One node, one action: no takeover options needed. */
	if (o->fence_only || o->status_only)
		return optind == argc && o->have_dead &&
				       !(o->fence_only && o->status_only)
			       ? 0
			       : -1;
	if (o->left)
		return optind == argc && o->have_dead && o->ip ? 0 : -1;
	if (o->stopped ? !o->grace_nodeid
		       : !o->have_dead || !o->have_self || !o->ip)
		return -1;
	if (optind != argc ||
	    (o->grace_nodeid && strlen(o->grace_nodeid) >= ULMREC_NODEID_MAX))
		return -1;
	if (o->grace_nodeid && !o->rados.grace_oid)
		o->rados.grace_oid = DEFAULT_GRACE_OID;
	if (o->rados.grace_oid && !o->rados.grace_pool)
		o->rados.grace_pool = DEFAULT_POOL;
	return 0;
}

struct node_seen {
	uint32_t node;
	bool found;
	struct ulm_node_info info;
};

static int node_visit(const struct ulm_node_info *node, void *arg)
{
	struct node_seen *seen = arg;

	if (node->node == seen->node) {
		seen->info = *node;
		seen->found = true;
	}
	return 0;
}

/* Wait (up to --wait) for the node's liveness lease to lapse: a node that
 * holds it may still grant. Then its last epoch. */
static int dead_node_epoch(const struct options *o, uint32_t *epoch)
{
	struct ulm_env_config cfg = {
		.store = ULM_STORE_RADOS,
		.node_id = o->dead,
		.read_only = true,
		.ceph_conf = o->rados.ceph_conf,
		.userid = o->rados.userid,
		.keyring = o->rados.keyring,
		.pool = o->rados.pool,
		.rados_namespace = o->rados.rados_namespace,
	};
	struct node_seen seen = {.node = o->dead};
	struct timespec pause = {0, 100 * 1000000L};
	time_t deadline = time(NULL) + o->wait_secs;
	ulm_env *env;
	int rc = ulm_env_open(&cfg, &env);

	while (!rc) {
		seen.found = false;
		rc = ulm_node_list(env, node_visit, &seen);
		if (rc || !seen.found || !seen.info.live ||
		    time(NULL) >= deadline)
			break;
		nanosleep(&pause, NULL);
	}
	if (!rc && !seen.found)
		rc = -ENOENT;
	else if (!rc && seen.info.live)
		rc = -EBUSY;
	if (!rc)
		*epoch = seen.info.epoch;
	if (env)
		ulm_env_close(env);
	return rc;
}

static int fence(ulmrec *rec, const struct options *o)
{
	char fenced[ULMREC_NODE_ADDRS_MAX];
	int rc;

	if (o->no_fence) {
		printf("fence node %u: skipped (--no-fence)\n", o->dead);
		return 0;
	}
	rc = ulmrec_fence_node(rec, o->dead, o->fence_secs, fenced,
			       sizeof(fenced));
	if (rc == 0)
		printf("fence node %u: blocklisted %s for %u s\n", o->dead,
		       fenced, o->fence_secs);
	else
		printf("fence node %u: FAILED: %s\n", o->dead,
		       rc == -ENOENT ? "no client address recorded"
				     : strerror(-rc));
	return rc;
}

/* Is it dead? Then its last epoch; else say why not. */
static int check_dead(const struct options *o, uint32_t *epoch)
{
	int rc = dead_node_epoch(o, epoch);

	if (rc == -EBUSY)
		printf("recovery node %u: REFUSED: it still holds its liveness "
		       "lease after %u s, so it may still grant: stop it "
		       "first\n",
		       o->dead, o->wait_secs);
	else if (rc == -ENOENT)
		printf("recovery node %u: REFUSED: no such node in the lock "
		       "store\n",
		       o->dead);
	else if (rc != 0)
		printf("recovery node %u: FAILED: %s\n", o->dead,
		       ulm_strerror(rc));
	return rc;
}

/* CLOCK_REALTIME in ms: what operators read (ulmctl grace). */
static uint64_t wall_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

static int begin_recovery(ulmrec *rec, const struct options *o, uint32_t epoch)
{
	struct ulmrec_entry e = {
		.node = o->dead,
		.by = o->self,
		.grace_secs = o->grace_secs,
		/* Every record it made, none of a life it may begin later. */
		.before_epoch = epoch + 1,
	};
	int rc;

	e.started_ms = wall_ms();
	if (o->grace_nodeid)
		snprintf(e.grace_nodeid, sizeof(e.grace_nodeid), "%s",
			 o->grace_nodeid);
	rc = ulmrec_entry_put(rec, &e);
	if (rc == 0)
		printf("recovery node %u: records before epoch %u, ended by "
		       "node %u within %u s\n",
		       o->dead, e.before_epoch, o->self, o->grace_secs);
	else
		printf("recovery node %u: FAILED: %s\n", o->dead,
		       strerror(-rc));
	return rc;
}

static int start_grace(ulmrec *rec, const struct options *o)
{
	int rc;

	if (!o->grace_nodeid)
		return 0;
	rc = ulmrec_grace_start(rec, o->grace_nodeid);
	if (rc == 0)
		printf("grace database: %s needs grace\n", o->grace_nodeid);
	else
		printf("grace database: start for %s FAILED: %s\n",
		       o->grace_nodeid,
		       rc == -ENOKEY ? "not a member" : strerror(-rc));
	return rc;
}

/* For operators (ulmctl grace): where the address is (@p at; 0: released
 * by its last node), whose clients. */
static int record_service(ulmrec *rec, const struct options *o, uint32_t at)
{
	struct ulmrec_service s = {
		.node = o->dead, .at = at, .since_ms = wall_ms()};
	int rc;

	snprintf(s.addr, sizeof(s.addr), "%s", o->ip);
	if (o->grace_nodeid)
		snprintf(s.grace_nodeid, sizeof(s.grace_nodeid), "%s",
			 o->grace_nodeid);
	rc = ulmrec_service_put(rec, &s);
	if (rc == 0 && at)
		printf("service address %s: clients of node %u, served by "
		       "node %u\n",
		       o->ip, o->dead, at);
	else if (rc == 0)
		printf("service address %s: clients of node %u, released\n",
		       o->ip, o->dead);
	else
		printf("service address %s: recording it FAILED: %s\n", o->ip,
		       strerror(-rc));
	return rc;
}

struct notify_ctx {
	const struct options *o;
	uint32_t state;
	unsigned sent;
	unsigned failed;
};

static int notify_one(const char *caller, const char *client_addr, void *arg)
{
	struct notify_ctx *n = arg;
	int rc = sm_notify_send(n->o->ip, client_addr, n->o->ip, (int)n->state);

	printf("sm_notify %s state %u: %s %s %s\n", n->o->ip, n->state, caller,
	       client_addr, rc == 0 ? "ok" : strerror(-rc));
	if (rc == 0)
		n->sent++;
	else
		n->failed++;
	return 0;
}

static int notify_clients(ulmrec *rec, const struct options *o)
{
	struct notify_ctx n = {o, 0, 0, 0};
	int rc = ulmrec_nsm_next_state(rec, o->ip, &n.state);

	if (rc == 0)
		rc = ulmrec_nsm_list(rec, o->ip, notify_one, &n);
	if (rc != 0) {
		printf("sm_notify %s: FAILED: %s\n", o->ip, strerror(-rc));
		return rc;
	}
	printf("sm_notify %s: %u of %u clients notified\n", o->ip, n.sent,
	       n.sent + n.failed);
	return n.failed ? -EIO : 0;
}

/* Was the address released by its last node (--left), not lost with it? */
static bool released(ulmrec *rec, const struct options *o)
{
	struct ulmrec_service *all = NULL;
	size_t n = 0;
	bool yes = false;

	if (ulmrec_service_list(rec, &all, &n) != 0)
		return false;
	for (size_t i = 0; i < n && !yes; i++)
		yes = strcmp(all[i].addr, o->ip) == 0 && all[i].at == 0 &&
		      all[i].node == o->dead;
	free(all);
	if (yes)
		printf("move: %s was released by its last node: no takeover\n",
		       o->ip);
	return yes;
}

struct forget_ctx {
	unsigned forgotten;
	unsigned failed;
};

/* The NSM state that no lock of a client has (clients count from 1
 * up): Ganesha keeps locks taken in the state a notification names. */
#define NSM_STATE_NONE (-1)

/* Ganesha looks an NLM client up by its caller name, or by its address
 * (NSM_Use_Caller_Name = false, the default): tell it both. */
static int forget_one(const char *caller, const char *client_addr, void *arg)
{
	struct forget_ctx *f = arg;
	int rc = nlm_local_sm_notify(caller, NSM_STATE_NONE);

	if (rc == 0 && strcmp(caller, client_addr) != 0)
		rc = nlm_local_sm_notify(client_addr, NSM_STATE_NONE);
	printf("left: forget %s %s: %s\n", caller, client_addr,
	       rc == 0 ? "ok" : strerror(-rc));
	if (rc == 0)
		f->forgotten++;
	else
		f->failed++;
	return 0;
}

/* --left: see the head of this file. */
static int leave(ulmrec *rec, const struct options *o)
{
	struct forget_ctx f = {0, 0};
	int rc = nlm_local_ping();

	if (rc != 0) {
		printf("left %s: the local Ganesha does not answer (%s): "
		       "not released, the next node takes it over\n",
		       o->ip, strerror(-rc));
		return EXIT_NOT_PROTECTED;
	}
	rc = ulmrec_nsm_list(rec, o->ip, forget_one, &f);
	if (rc != 0)
		printf("left %s: its NLM clients: FAILED: %s\n", o->ip,
		       strerror(-rc));
	else
		printf("left %s: %u of %u NLM clients forgotten here\n", o->ip,
		       f.forgotten, f.forgotten + f.failed);
	/* It lives: nothing of it is to be recovered, whatever it could not
	 * forget (that stays in its memory, not in the store). */
	return record_service(rec, o, 0) || rc || f.failed ? EXIT_PARTLY : 0;
}

/* --stopped: see the head of this file. Until --wait: a member that has
 * not yet joined the grace period this node's shutdown started holds the
 * lift back (-EAGAIN), as in Ganesha. */
static int lift_stopped(ulmrec *rec, const struct options *o)
{
	struct timespec pause = {0, 200 * 1000000L};
	time_t deadline = time(NULL) + o->wait_secs;
	int rc;

	while ((rc = ulmrec_grace_lift(rec, o->grace_nodeid)) == -EAGAIN &&
	       time(NULL) < deadline)
		nanosleep(&pause, NULL);
	if (rc == 0)
		printf("stopped %s: its grace request lifted\n",
		       o->grace_nodeid);
	else
		printf("stopped %s: grace database: lift FAILED: %s\n",
		       o->grace_nodeid,
		       rc == -ENOKEY ? "not a member" : strerror(-rc));
	return rc;
}

/* --status: one look at the node's liveness lease. */
static int print_status(const struct options *o)
{
	struct options once = *o;
	uint32_t epoch;
	int rc;

	once.wait_secs = 0;
	rc = dead_node_epoch(&once, &epoch);
	if (rc == 0 || rc == -EBUSY)
		printf("node %u: %s\n", o->dead, rc ? "live" : "not live");
	else
		printf("node %u: FAILED: %s\n", o->dead,
		       rc == -ENOENT ? "no such node in the lock store"
				     : ulm_strerror(rc));
	return rc == -EBUSY ? 0 : rc;
}

int main(int argc, char **argv)
{
	struct options o = {
		.rados = {.pool = DEFAULT_POOL,
			  .rados_namespace = DEFAULT_NAMESPACE},
		.grace_secs = DEFAULT_GRACE_SECS,
		.fence_secs = DEFAULT_FENCE_SECS,
		.wait_secs = DEFAULT_WAIT_SECS,
	};
	ulmrec *rec = NULL;
	uint32_t epoch = 0;
	int rc, partly = 0;

	if (parse_options(argc, argv, &o) != 0) {
		usage(stderr);
		return EXIT_NOT_PROTECTED;
	}
	if (o.status_only)
		return print_status(&o) ? EXIT_NOT_PROTECTED : 0;
	rc = ulmrec_open(&o.rados, &rec);
	if (rc != 0) {
		fprintf(stderr,
			"ulm-takeover: cannot reach RADOS (pool %s): %s\n",
			o.rados.pool, strerror(-rc));
		return EXIT_NOT_PROTECTED;
	}
	if (o.fence_only) {
		rc = fence(rec, &o);
		ulmrec_close(rec);
		return rc ? EXIT_NOT_PROTECTED : 0;
	}
	if (o.left) {
		rc = leave(rec, &o);
		ulmrec_close(rec);
		return rc;
	}
	if (o.stopped) {
		rc = lift_stopped(rec, &o);
		ulmrec_close(rec);
		return rc ? EXIT_PARTLY : 0;
	}
	if (o.dead != o.self && !released(rec, &o)) {
		rc = check_dead(&o, &epoch);
		if (rc == 0) {
			partly |= fence(rec, &o);
			rc = begin_recovery(rec, &o, epoch);
		}
		if (rc == 0)
			partly |= start_grace(rec, &o);
	}
	if (rc == 0)
		partly |= record_service(rec, &o, o.self);
	if (rc == 0)
		partly |= notify_clients(rec, &o);
	ulmrec_close(rec);
	if (rc != 0)
		return EXIT_NOT_PROTECTED;
	return partly ? EXIT_PARTLY : 0;
}
