# shellcheck shell=bash
# What I/O without an open of its own meets under a share reservation
# (it.share_io, it.rados_share_io). Every check reads the file back.

SHARE_IO_SEED=original # 8 bytes

# share_io_v4_writes CLIENT FILE LOCKED SETATTR: NFSv4 WRITE and SETATTR
# of the size with the anonymous stateid answer LOCKED and SETATTR (globs).
share_io_v4_writes() {
	it_expect "$1" "v4 write $2 0 4" "$3"
	it_expect "$1" "v4 truncate $2 2" "$4"
}

# share_io_v3_writes CLIENT FILE ANSWER: NFSv3 WRITE and SETATTR size.
share_io_v3_writes() {
	it_expect "$1" "v3 write $2 0 XXXX" "$3"
	it_expect "$1" "v3 truncate $2 2" "$3"
}

# share_io_seed CLIENT FILE: the file holds exactly SHARE_IO_SEED.
share_io_seed() {
	it_expect "$1" "v3 truncate $2 0" OK
	it_expect "$1" "v3 write $2 0 $SHARE_IO_SEED" OK
}

# share_io_unchanged CLIENT FILE: its bytes and size are the seed's.
share_io_unchanged() {
	it_expect "$1" "v3 read $2 0 64" "OK $SHARE_IO_SEED"
	it_expect "$1" "v3 size $2" "OK ${#SHARE_IO_SEED}"
}

# share_io_writes_refused CLIENT FILE: every write without an open is
# refused, and nothing changed.
share_io_writes_refused() {
	share_io_v3_writes "$1" "$2" "ERR NFS3ERR_JUKEBOX"
	share_io_v4_writes "$1" "$2" "ERR NFS4ERR_LOCKED" \
		"ERR NFS4ERR_SHARE_DENIED"
	share_io_unchanged "$1" "$2"
}

# share_io_writes_pass CLIENT FILE: every one of them goes through (the
# last truncate leaves 2 bytes), then the seed is put back.
share_io_writes_pass() {
	share_io_v3_writes "$1" "$2" OK
	share_io_v4_writes "$1" "$2" OK OK
	it_expect "$1" "v3 size $2" "OK 2"
	share_io_seed "$1" "$2"
}
