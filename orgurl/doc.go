// Package orgurl turns what a Slack admin types as "the URL of your
// Salesforce org" into that org's My Domain, or refuses it with an error that
// says what is wrong and what to type instead.
//
// It is the product's only gate between user input and the hosts it sends
// requests (and OAuth client secrets) to: a MyDomain's Host always ends in
// ".my.salesforce.com", so nothing that passes Parse can point the product at
// a host that is not Salesforce's. The rules follow Salesforce's enhanced
// domains (enforced on every org since Winter '24): production
// NAME.my.salesforce.com, sandboxes NAME--SANDBOX.sandbox.my.salesforce.com,
// and the other partitions NAME.PARTITION.my.salesforce.com. The Lightning
// and Setup hosts of the same org are accepted and normalised to it, because
// that is what an admin copies from the browser's address bar.
package orgurl
