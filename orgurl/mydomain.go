package orgurl

// Suffix is the DNS suffix every accepted My Domain login host ends with.
const Suffix = ".my.salesforce.com"

// PartitionSandbox is the partition of sandbox orgs, whose My Domain label is
// NAME--SANDBOX.
const PartitionSandbox = "sandbox"

// partitions are the partitioned-domain labels Salesforce puts between the
// My Domain name and "my.salesforce.com" for orgs other than production.
// A host naming any other label there is refused rather than guessed at, so
// that an old instance-style host (acme--uat.cs42.my.salesforce.com) gets a
// clear error instead of a failed request.
var partitions = map[string]bool{
	PartitionSandbox: true,
	"develop":        true, // Developer Edition
	"scratch":        true,
	"demo":           true,
	"patch":          true,
	"trailblaze":     true, // Trailhead playgrounds
	"free":           true,
}

// MyDomain is an org's My Domain: the host its users log in at and its APIs
// answer on.
type MyDomain struct {
	// Name is the My Domain name in lower case, with the sandbox name for a
	// sandbox: "acme", "acme--uat".
	Name string
	// Partition is "" for production, else the partitioned-domain label:
	// "sandbox", "develop", "scratch", "demo", "patch", "trailblaze", "free".
	Partition string
	// Host is the login host: "acme.my.salesforce.com",
	// "acme--uat.sandbox.my.salesforce.com".
	Host string
}

// URL is the org's My Domain URL, "https://" + Host, the form Parse accepts
// back unchanged.
func (d MyDomain) URL() string { return "https://" + d.Host }

// String is the URL, so that a MyDomain logs as what an admin would type.
func (d MyDomain) String() string { return d.URL() }

// IsSandbox says whether the My Domain is a sandbox's.
func (d MyDomain) IsSandbox() bool { return d.Partition == PartitionSandbox }

// newMyDomain builds the canonical My Domain of an already validated name and
// partition.
func newMyDomain(name, partition string) MyDomain {
	host := name
	if partition != "" {
		host += "." + partition
	}
	return MyDomain{Name: name, Partition: partition, Host: host + Suffix}
}
