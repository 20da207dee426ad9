/** Webhook URLs that must be refused: every form of a loopback, private, link-local, CGNAT, ULA, metadata or reserved address. */
export const INTERNAL_URLS = [
  'http://127.0.0.1/',
  'http://127.1.2.3:8080/admin',
  'http://2130706433/', // decimal 127.0.0.1
  'http://2130706433:6379/',
  'http://0x7f000001/', // hexadecimal
  'http://0x7f.0.0.1/',
  'http://0177.0.0.1/', // octal
  'http://017700000001/',
  'http://0.0.0.0/',
  'http://0/',
  'http://10.0.0.1/',
  'http://172.16.5.4/',
  'http://172.31.255.255/',
  'http://192.168.1.1/',
  'http://169.254.169.254/latest/meta-data/',
  'http://169.254.0.1/',
  'http://100.64.0.1/', // CGNAT
  'http://100.127.255.254/',
  'http://192.0.0.192/',
  'http://224.0.0.1/',
  'http://255.255.255.255/',
  'http://[::1]/',
  'http://[::]/',
  'http://[0:0:0:0:0:0:0:1]/',
  'http://[::ffff:127.0.0.1]/', // IPv4-mapped
  'http://[::ffff:7f00:1]/',
  'http://[::ffff:169.254.169.254]/',
  'http://[::ffff:10.0.0.1]/',
  'http://[fc00::1]/', // ULA
  'http://[fd00:ec2::254]/', // AWS metadata over IPv6
  'http://[fe80::1]/', // link-local
  'http://[ff02::1]/', // multicast
  'http://[64:ff9b::7f00:1]/', // NAT64 of 127.0.0.1
  'http://[2002:7f00:1::]/', // 6to4 of 127.0.0.1
];
