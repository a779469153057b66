/* The telnet protocol of the console server: the bytes a client sends are
 * decoded here into keys for the line editor, and option negotiation is
 * answered.
 *
 * The server offers ECHO (RFC 857) and SGA (RFC 858), asks the client for
 * SGA and for no LINEMODE. Whatever the client answers, the editor echoes
 * what is typed, as IOS does: a client that refuses ECHO (Python's
 * telnetlib refuses every option) still sees each line it sends before the
 * line's output. Kept apart from the editor because its states (option
 * states, a subnegotiation, a CR awaiting its LF) are the wire's, and each
 * is bounded so that no sequence of bytes can grow or stall them. */
#include "telnet_int.h"

#include <string.h>

#define SB_MAX 512              /* longest subnegotiation we wait out */

/* RFC 854 commands and the options we talk about */
enum {
	T_SE = 240, T_NOP = 241, T_DM = 242, T_BRK = 243, T_IP = 244,
	T_AO = 245, T_AYT = 246, T_EC = 247, T_EL = 248, T_GA = 249,
	T_SB = 250, T_WILL = 251, T_WONT = 252, T_DO = 253, T_DONT = 254,
	T_IAC = 255,
};
enum { OPT_ECHO = 1, OPT_SGA = 3, OPT_LINEMODE = 34 };

/* An option's state on one side (RFC 1143, without the queue bit: we never
 * change our mind, so a request is never outstanding in both ways). */
enum qstate { Q_NO, Q_YES, Q_WANTYES };

/* ---- option negotiation -------------------------------------------------- */

static void tn_send(struct tconn *t, unsigned char verb, unsigned char opt)
{
	unsigned char b[3] = {T_IAC, verb, opt};
	tn_out_raw(t, b, sizeof b);
}

/* Options we perform (WILL): we echo and we send no go-aheads. */
static bool us_supported(unsigned char opt)
{
	return opt == OPT_ECHO || opt == OPT_SGA;
}

/* Options we let the peer perform (DO): it may drop go-aheads too. */
static bool him_supported(unsigned char opt)
{
	return opt == OPT_SGA;
}

/* A request about one side of an option: turn it ON (DO/WILL) or off
 * (DONT/WONT). Only a change of state is answered, with YES or NO (a
 * request for the state the option is already in draws nothing), which is
 * what keeps two parties from negotiating forever; an option we do not
 * support is refused each time it is asked for. */
static void tn_side(struct tconn *t, unsigned char *state, bool supported,
		    bool on, unsigned char yes, unsigned char no,
		    unsigned char opt)
{
	if (on && !supported) {
		tn_send(t, no, opt);
		return;
	}
	if (*state == (on ? Q_NO : Q_YES))
		tn_send(t, on ? yes : no, opt);
	*state = on ? Q_YES : Q_NO;
}

/* Answer one DO/DONT (about what we do) or WILL/WONT (what the peer
 * does). */
static void tn_negotiate(struct tconn *t, unsigned char verb, unsigned char opt)
{
	bool on = verb == T_DO || verb == T_WILL;
	if (verb == T_DO || verb == T_DONT)
		tn_side(t, &t->us[opt], us_supported(opt), on, T_WILL, T_WONT,
			opt);
	else
		tn_side(t, &t->him[opt], him_supported(opt), on, T_DO, T_DONT,
			opt);
}

/* What a router's console server says first: it echoes, it sends no
 * go-aheads and asks the same of the client, and it wants no LINEMODE
 * (characters must come one at a time for `?` and TAB to work). */
void tn_opt_start(struct tconn *t)
{
	tn_send(t, T_WILL, OPT_ECHO);
	t->us[OPT_ECHO] = Q_WANTYES;
	tn_send(t, T_WILL, OPT_SGA);
	t->us[OPT_SGA] = Q_WANTYES;
	tn_send(t, T_DO, OPT_SGA);
	t->him[OPT_SGA] = Q_WANTYES;
	tn_send(t, T_DONT, OPT_LINEMODE);
}

/* ---- data: end of line, escape sequences --------------------------------- */

static void csi_key(struct tconn *t, unsigned char final)
{
	t->esc[t->esc_len] = '\0';
	int k = 0;
	switch (final) {
	case 'A': k = K_UP; break;
	case 'B': k = K_DOWN; break;
	case 'C': k = K_RIGHT; break;
	case 'D': k = K_LEFT; break;
	case 'H': k = K_HOME; break;
	case 'F': k = K_END; break;
	case '~':
		if (!strcmp(t->esc, "1") || !strcmp(t->esc, "7"))
			k = K_HOME;
		else if (!strcmp(t->esc, "4") || !strcmp(t->esc, "8"))
			k = K_END;
		else if (!strcmp(t->esc, "3"))
			k = K_DEL;
		break;
	}
	if (k)
		tn_key(t, k);
}

/* An escape sequence in progress takes the byte: true when it did. */
static bool esc_byte(struct tconn *t, unsigned char b)
{
	if (t->es == ES_ESC) {
		t->es = b == '[' || b == 'O' ? ES_CSI : ES_NONE;
		t->esc_len = 0;
		return true;
	}
	if (t->es != ES_CSI)
		return false;
	if (b >= 0x40 && b <= 0x7e) {
		t->es = ES_NONE;
		csi_key(t, b);
	} else if (t->esc_len + 1 < sizeof t->esc) {
		t->esc[t->esc_len++] = (char)b;
	} else {
		t->es = ES_NONE;
	}
	return true;
}

static void data_byte(struct tconn *t, unsigned char b)
{
	if (t->after_cr) {
		t->after_cr = false;
		if (b == '\n' || b == '\0')
			return;
	}
	if (esc_byte(t, b))
		return;
	switch (b) {
	case '\r':
		t->after_cr = true;
		tn_key(t, '\r');
		break;
	case '\n':
		tn_key(t, '\r');
		break;
	case '\0':
		break;
	case 0x1b:
		t->es = ES_ESC;
		break;
	default:
		tn_key(t, b);
	}
}

/* ---- telnet commands ----------------------------------------------------- */

/* A telnet command other than option negotiation. */
static void tn_command(struct tconn *t, unsigned char cmd)
{
	switch (cmd) {
	case T_EC:
		tn_key(t, 0x7f);
		break;
	case T_EL:
		tn_key(t, CTRL('U'));
		break;
	case T_IP:
		tn_key(t, CTRL('C'));
		break;
	case T_AYT:
		tn_out_str(t, "\n[Yes]\n");
		tn_redraw(t);
		break;
	default:        /* NOP, DM, BRK, AO, GA, a stray SE */
		break;
	}
}

void tn_input(struct tconn *t, unsigned char b)
{
	switch (t->ts) {
	case TS_DATA:
		if (b == T_IAC)
			t->ts = TS_IAC;
		else
			data_byte(t, b);
		return;
	case TS_IAC:
		t->ts = TS_DATA;
		if (b == T_IAC) {
			data_byte(t, b);
		} else if (b >= T_WILL) {
			t->verb = b;
			t->ts = TS_OPT;
		} else if (b == T_SB) {
			t->sb_len = 0;
			t->ts = TS_SB;
		} else {
			tn_command(t, b);
		}
		return;
	case TS_OPT:
		t->ts = TS_DATA;
		tn_negotiate(t, t->verb, b);
		return;
	case TS_SB:
		/* we accept no option that subnegotiates: skip the
		 * parameters, but not forever if SE never comes */
		if (b == T_IAC)
			t->ts = TS_SB_IAC;
		else if (++t->sb_len > SB_MAX)
			t->ts = TS_DATA;
		return;
	case TS_SB_IAC:
		if (b == T_SE) {
			t->ts = TS_DATA;
		} else if (b == T_IAC) {
			t->ts = ++t->sb_len > SB_MAX ? TS_DATA : TS_SB;
		} else {        /* a command cut the subnegotiation short */
			t->ts = TS_IAC;
			tn_input(t, b);
		}
		return;
	}
}
