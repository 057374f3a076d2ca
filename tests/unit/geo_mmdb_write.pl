#!/usr/bin/perl
# Write a MaxMind DB from a CSV of ranges "first,last,CC" (dotted or colon form) for
# test_geo: an IPv6 tree with IPv4 aliased (as GeoLite2 is), country.iso_code records.
# usage: geo_mmdb_write.pl IN.csv OUT.mmdb
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($in, $out) = @ARGV;
my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version => 6,
	record_size => 28,
	database_type => 'rempart-test-Country',
	languages => ['en'],
	description => { en => 'test_geo' },
	alias_ipv6_to_ipv4 => 1,
	remove_reserved_networks => 0, # the dataset's own answers, reserved space included
	map_key_type_callback => sub { { country => 'map', iso_code => 'utf8_string' }->{ $_[0] } },
);
open(my $fh, '<', $in) or die "$in: $!";
while (my $line = <$fh>) {
	chomp $line;
	my ($first, $last, $cc) = split /,/, $line;
	$first = "::$first" if $first =~ /^\d+\.\d+\.\d+\.\d+$/;
	$last = "::$last" if $last =~ /^\d+\.\d+\.\d+\.\d+$/;
	$tree->insert_range($first, $last, { country => { iso_code => $cc } });
}
open(my $o, '>:raw', $out) or die "$out: $!";
$tree->write_tree($o);
close $o;
