//! Configurations of the real servers, written by the suite itself, each
//! listening on 127.0.0.1 only. Every server serves `/index.html`, a page
//! or script that runs no command (`/hello...`), and an exploit path that
//! runs `echo <marker>-ran` through a shell.

use std::path::Path;
use std::process::Command;

use crate::common::TempDir;
use crate::harness::{free_port, give_to_www_data, package_version, work_dir, write_file, Server};

/// A started server with its port and working folder.
pub struct Running {
    pub server: Server,
    pub port: u16,
    _dir: TempDir,
}

impl Running {
    pub fn output(&self) -> String {
        self.server.output()
    }

    /// Returns the pid recorded in a pid file under the working folder.
    pub fn recorded_pid(&self, pid_file: &str) -> i32 {
        let text = std::fs::read_to_string(self._dir.0.join(pid_file)).unwrap();
        text.trim().parse().unwrap()
    }
}

fn cgi_script(shell: &str, marker: &str) -> String {
    format!("#!{shell}\necho 'Content-Type: text/plain'\necho\necho {marker}-ran\n")
}

fn common_pages(docroot: &Path, marker: &str) {
    write_file(&docroot.join("index.html"), "<p>static page</p>\n", 0o644);
    write_file(&docroot.join("hello.php"), "<?php echo 'hello from php';\n", 0o644);
    // mail() runs sendmail through `sh -c`; the send fails without an MTA.
    write_file(&docroot.join("mail.php"), "<?php var_dump(mail('root@localhost', 'test', 'body'));\n", 0o644);
    write_file(
        &docroot.join("run.php"),
        &format!("<?php echo system('echo {marker}-ran'); echo shell_exec('echo {marker}-ran');\n"),
        0o644,
    );
    write_file(&docroot.join(format!("cgi-bin/{marker}.cgi")), &cgi_script("/bin/sh", marker), 0o755);
}

/// Apache httpd with the prefork MPM, mod_cgi and mod_php.
pub fn apache(marker: &str) -> Running {
    package_version("apache2");
    package_version("libapache2-mod-php8.2");
    let dir = work_dir(marker);
    let root = dir.0.clone();
    let docroot = root.join("htdocs");
    common_pages(&docroot, marker);
    let port = free_port();
    let modules = "/usr/lib/apache2/modules";
    let config = format!(
        r#"ServerRoot "{root}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {root}/apache.pid
DefaultRuntimeDir {root}
Mutex file:{root} default
ErrorLog {root}/error.log
LogLevel warn
User www-data
Group www-data
LoadModule mpm_prefork_module {modules}/mod_mpm_prefork.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule mime_module {modules}/mod_mime.so
LoadModule dir_module {modules}/mod_dir.so
LoadModule alias_module {modules}/mod_alias.so
LoadModule cgi_module {modules}/mod_cgi.so
LoadModule php_module {modules}/libphp8.2.so
StartServers 1
MinSpareServers 1
MaxSpareServers 2
TypesConfig /etc/mime.types
DocumentRoot "{docroot}"
ScriptAlias /cgi-bin/ "{docroot}/cgi-bin/"
<Directory />
    Require all granted
</Directory>
<FilesMatch "\.php$">
    SetHandler application/x-httpd-php
</FilesMatch>
"#,
        root = root.display(),
        docroot = docroot.display(),
    );
    write_file(&root.join("apache.conf"), &config, 0o644);
    let mut command = Command::new("/usr/sbin/apache2");
    command.args(["-DFOREGROUND", "-f"]).arg(root.join("apache.conf"));
    let server = Server::start("apache2", command, port, &root);
    Running { server, port, _dir: dir }
}

/// nginx in front of php-fpm and fcgiwrap, all in one process group.
pub fn nginx_with_backends(marker: &str) -> Running {
    package_version("nginx");
    package_version("php8.2-fpm");
    package_version("fcgiwrap");
    let dir = work_dir(marker);
    let root = dir.0.clone();
    let docroot = root.join("htdocs");
    common_pages(&docroot, marker);
    let run = root.join("run");
    std::fs::create_dir_all(&run).unwrap();
    give_to_www_data(&run);
    let port = free_port();

    let fpm = format!(
        "[global]\npid = {run}/php-fpm.pid\nerror_log = {root}/php-fpm.log\ndaemonize = no\n\
         [www]\nuser = www-data\ngroup = www-data\nlisten = {run}/php-fpm.sock\n\
         listen.owner = www-data\nlisten.group = www-data\npm = static\npm.max_children = 1\n",
        run = run.display(),
        root = root.display(),
    );
    write_file(&root.join("php-fpm.conf"), &fpm, 0o644);
    let fastcgi = |socket: &str| {
        format!(
            "include /etc/nginx/fastcgi_params;\n            \
             fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n            \
             fastcgi_pass unix:{}/{socket};",
            run.display()
        )
    };
    let config = format!(
        r#"daemon off;
master_process on;
worker_processes 1;
user www-data;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {docroot};
        location ~ \.php$ {{
            {php}
        }}
        location /cgi-bin/ {{
            {cgi}
        }}
    }}
}}
"#,
        root = root.display(),
        run = run.display(),
        docroot = docroot.display(),
        php = fastcgi("php-fpm.sock"),
        cgi = fastcgi("fcgiwrap.sock"),
    );
    write_file(&root.join("nginx.conf"), &config, 0o644);

    // One shell starts the three daemons so that one process group contains
    // them all; nginx runs in the foreground as the group's main process.
    let script = format!(
        "/usr/sbin/php-fpm8.2 -F -y {root}/php-fpm.conf &\n\
         setpriv --reuid=www-data --regid=www-data --init-groups /usr/sbin/fcgiwrap -s unix:{run}/fcgiwrap.sock &\n\
         while [ ! -S {run}/php-fpm.sock ] || [ ! -S {run}/fcgiwrap.sock ]; do sleep 0.05; done\n\
         exec /usr/sbin/nginx -p {root} -c {root}/nginx.conf\n",
        root = root.display(),
        run = run.display(),
    );
    let mut command = Command::new("/bin/sh");
    command.arg("-c").arg(script);
    let mut server = Server::start("nginx", command, port, &root);
    server.also_stop(run.join("php-fpm.pid"));
    Running { server, port, _dir: dir }
}

/// lighttpd with mod_cgi. With `debian_config`, the configuration also
/// runs the start-up helpers of Debian's /etc/lighttpd/lighttpd.conf.
pub fn lighttpd(marker: &str, debian_config: bool) -> Running {
    package_version("lighttpd");
    let dir = work_dir(marker);
    let root = dir.0.clone();
    let docroot = root.join("htdocs");
    common_pages(&docroot, marker);
    let port = free_port();
    let mime = if debian_config {
        "include_shell \"/usr/share/lighttpd/create-mime.conf.pl\"\n"
    } else {
        "mimetype.assign = (\".html\" => \"text/html\")\n"
    };
    let config = format!(
        "server.document-root = \"{docroot}\"\nserver.bind = \"127.0.0.1\"\nserver.port = {port}\n\
         server.errorlog = \"{root}/error.log\"\nserver.username = \"www-data\"\nserver.groupname = \"www-data\"\n\
         server.modules += (\"mod_cgi\")\ncgi.assign = (\".cgi\" => \"\")\n{mime}",
        docroot = docroot.display(),
        root = root.display(),
    );
    write_file(&root.join("lighttpd.conf"), &config, 0o644);
    give_to_www_data(&root.join("error.log").with_file_name(""));
    let mut command = Command::new("/usr/sbin/lighttpd");
    command.args(["-D", "-f"]).arg(root.join("lighttpd.conf"));
    let server = Server::start("lighttpd", command, port, &root);
    Running { server, port, _dir: dir }
}

/// busybox httpd with a CGI script interpreted by busybox's own shell.
pub fn busybox_httpd(marker: &str) -> Running {
    package_version("busybox");
    let dir = work_dir(marker);
    let root = dir.0.clone();
    let docroot = root.join("www");
    write_file(&docroot.join("index.html"), "<p>static page</p>\n", 0o644);
    write_file(&docroot.join(format!("cgi-bin/{marker}.cgi")), &cgi_script("/bin/busybox sh", marker), 0o755);
    let port = free_port();
    let mut command = Command::new("/bin/busybox");
    command.args(["httpd", "-f", "-p", &format!("127.0.0.1:{port}"), "-h"]).arg(&docroot);
    let server = Server::start("busybox-httpd", command, port, &root);
    Running { server, port, _dir: dir }
}

/// Tomcat 10 with a JSP that runs `sh -c` through Runtime.exec.
pub fn tomcat(marker: &str) -> Running {
    package_version("tomcat10");
    let dir = work_dir(marker);
    let base = dir.0.clone();
    let port = free_port();
    for name in ["catalina.properties", "context.xml", "logging.properties", "web.xml", "tomcat-users.xml"] {
        let text = std::fs::read_to_string(Path::new("/etc/tomcat10").join(name)).unwrap();
        write_file(&base.join("conf").join(name), &text, 0o644);
    }
    let server_xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector address="127.0.0.1" port="{port}" protocol="HTTP/1.1" connectionTimeout="20000"/>
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"/>
    </Engine>
  </Service>
</Server>
"#
    );
    write_file(&base.join("conf/server.xml"), &server_xml, 0o644);
    let jsp = format!(
        r#"<%@ page import="java.io.*" %><%
Process process = Runtime.getRuntime().exec(new String[] {{"sh", "-c", "echo {marker}-ran"}});
BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream()));
String line;
while ((line = reader.readLine()) != null) {{ out.println(line); }}
process.waitFor();
%>"#
    );
    write_file(&base.join("webapps/ROOT/run.jsp"), &jsp, 0o644);
    write_file(&base.join("webapps/ROOT/index.html"), "<p>static page</p>\n", 0o644);
    for folder in ["logs", "work", "temp"] {
        std::fs::create_dir_all(base.join(folder)).unwrap();
    }
    let mut command = Command::new("/usr/share/tomcat10/bin/catalina.sh");
    command
        .arg("run")
        .env("CATALINA_HOME", "/usr/share/tomcat10")
        .env("CATALINA_BASE", &base)
        .env("CATALINA_TMPDIR", base.join("temp"));
    let server = Server::start("tomcat10", command, port, &base);
    Running { server, port, _dir: dir }
}

/// A Node.js HTTP server whose handler calls child_process.exec.
pub fn node(marker: &str) -> Running {
    package_version("nodejs");
    let dir = work_dir(marker);
    let root = dir.0.clone();
    let port = free_port();
    let script = format!(
        r#"const http = require('http');
const {{ exec }} = require('child_process');
http.createServer((request, response) => {{
  if (request.url === '/run') {{
    exec('echo {marker}-ran', (error, stdout) => response.end(stdout));
  }} else {{
    response.end('hello from node\n');
  }}
}}).listen({port}, '127.0.0.1');
"#
    );
    write_file(&root.join("server.js"), &script, 0o644);
    let mut command = Command::new("node");
    command.arg(root.join("server.js"));
    let server = Server::start("node", command, port, &root);
    Running { server, port, _dir: dir }
}

/// gunicorn serving a WSGI app that runs a command with shell=True.
pub fn gunicorn(marker: &str) -> Running {
    package_version("gunicorn");
    let dir = work_dir(marker);
    let root = dir.0.clone();
    let port = free_port();
    let app = format!(
        r#"import subprocess

def app(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    if environ['PATH_INFO'] == '/run':
        return [subprocess.run('echo {marker}-ran', shell=True, capture_output=True).stdout]
    return [b'hello from gunicorn\n']
"#
    );
    write_file(&root.join("app.py"), &app, 0o644);
    let mut command = Command::new("/usr/bin/gunicorn");
    command.args(["--workers", "1", "--bind", &format!("127.0.0.1:{port}"), "--chdir"]).arg(&root).arg("app:app");
    let server = Server::start("gunicorn", command, port, &root);
    Running { server, port, _dir: dir }
}

/// Runs the packages' logrotate configurations once, forced, with a state
/// file of our own. Their postrotate scripts run through logrotate's shell.
pub fn rotate_logs(packages: &[&str]) {
    package_version("logrotate");
    let dir = TempDir::new("logrotate");
    for package in packages {
        let config = Path::new("/etc/logrotate.d").join(package);
        if !config.exists() {
            continue;
        }
        let status = Command::new("logrotate")
            .args(["--force", "--state"])
            .arg(dir.0.join("state"))
            .arg(&config)
            .status()
            .unwrap();
        assert!(status.success(), "logrotate failed on {}", config.display());
    }
}
